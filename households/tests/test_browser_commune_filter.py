"""The household list's commune → village filter in the system Chromium (issue 16): the village
select fills with htmx when a commune is chosen."""

import pytest
from playwright.sync_api import expect

from areas.tests.factories import CommuneFactory, VillageFactory
from households.tests.factories import HouseholdFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]


def test_a_district_viewer_picks_a_commune_then_one_of_its_villages(
    logged_in_page, live_server, viewer, district, village_a, village_b
):
    HouseholdFactory(village=village_a, head_name="Nguyễn Văn Đức")
    HouseholdFactory(village=village_b, head_name="Hoàng Thị Bích")
    elsewhere = VillageFactory(
        name="Thôn Núi", parent=CommuneFactory(name="Xã Bên", parent=district)
    )
    HouseholdFactory(village=elsewhere, head_name="Lò Văn Sinh")
    page = logged_in_page("viewer")
    page.goto(f"{live_server.url}/households/")
    villages = page.locator("#id_village option")
    expect(villages).to_have_count(1)  # "choose a commune first"
    page.select_option("#id_commune", label="Xã Vĩnh Hảo")
    expect(villages).to_have_count(3)  # loaded with htmx: "—", Thôn A, Thôn B
    page.select_option("#id_village", label="Thôn B")
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_role("link", name="Hoàng Thị Bích")).to_be_visible()
    expect(page.get_by_role("link", name="Nguyễn Văn Đức")).to_have_count(0)
    expect(page.locator("#id_commune")).to_have_value(str(village_b.parent_id))
    page.select_option("#id_commune", label="Xã Bên")
    expect(villages).to_have_count(2)
    expect(page.locator("#id_village")).to_contain_text("Thôn Núi")
