"""A refusal or a missing page keeps the site's layout and offers a way back: never the server's
bare "403 Forbidden" or "Not Found"."""

import pytest

from households.tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def test_an_action_the_role_does_not_have_is_refused_in_the_site_layout(client, viewer):
    client.force_login(viewer)
    response = client.get("/households/new/")  # a viewer edits no registry anywhere
    assert response.status_code == 403
    text = response.content.decode()
    assert "Không có quyền" in text and "Về trang chủ" in text
    assert 'class="navbar' in text  # base.html, not a bare error body


def test_a_household_of_another_commune_is_not_found_in_the_site_layout(
    client, officer, other_village
):
    foreign = HouseholdFactory(village=other_village, head_name="Hộ Xã Khác")
    client.force_login(officer)
    response = client.get(f"/households/{foreign.pk}/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "Không tìm thấy" in text and "Về trang chủ" in text
    assert "Hộ Xã Khác" not in text


def test_the_refusal_speaks_english_when_the_interface_does(client, viewer):
    client.force_login(viewer)
    client.cookies["django_language"] = "en"
    text = client.get("/households/new/").content.decode()
    assert "Back to the home page" in text
