"""The cycle page and a village meeting at phone width, in the system Chromium (Playwright)."""

import datetime
import os
import shutil

import pytest
from playwright.sync_api import expect

from conftest import DESKTOP, PHONE
from households.models import ReviewCycle
from households.tests.factories import ReviewCycleFactory
from review import services
from review.tests.test_stages import MEETING_DAY, POSTING_DAY, home, record

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]

#: set to a folder to keep the screenshots (docs/screenshots/ was made so)
KEEP = os.environ.get("REVIEW_SCREENSHOTS")


def fits(page, width) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


def keep(path):
    if KEEP:
        shutil.copy(path, os.path.join(KEEP, path.name))


@pytest.fixture
def cycle(poverty_standards, commune, village_a, village_b):
    cycle = ReviewCycleFactory(commune=commune, year=2024)
    homes = [
        home(village_a, head_name="Nguyễn Văn Đức", code="A1"),
        home(village_a, head_name="Lục Thị Hoa", code="A2"),
        home(village_b, head_name="Hoàng Thị Bích", code="B1"),
    ]
    for h in homes:
        record(cycle, h)
    services.advance(cycle=cycle, to_stage=ReviewCycle.Stage.SURVEY)
    services.advance(cycle=cycle, to_stage=ReviewCycle.Stage.MEETINGS)
    return cycle


def test_a_board_records_its_village_meeting_at_phone_width(
    logged_in_page, live_server, board_a, cycle, village_a, tmp_path
):
    page = logged_in_page("board_a", PHONE)
    page.goto(f"{live_server.url}/cycles/{cycle.pk}/")
    expect(page.get_by_test_id("stages")).to_contain_text("Họp thôn")
    assert "Hoàng Thị Bích" not in page.content()
    assert fits(page, PHONE["width"])
    page.get_by_role("link", name="Ghi biên bản").click()
    page.fill("#id_held_on", MEETING_DAY.isoformat())
    page.fill("#id_chair", "Trưởng thôn A")
    page.fill("#id_representatives_present", "30")
    page.fill("#id_representatives_total", "52")
    assert fits(page, PHONE["width"])
    page.screenshot(path=tmp_path / "cycle-meeting-phone.png", full_page=True)
    keep(tmp_path / "cycle-meeting-phone.png")
    page.get_by_role("button", name="Ghi biên bản").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã ghi biên bản họp Thôn A")
    assert cycle.village_meetings.get().village == village_a


def test_the_officer_sees_the_stage_track_and_the_register_at_phone_width(
    logged_in_page, live_server, officer, cycle, village_a, village_b, tmp_path
):
    for village in (village_a, village_b):
        services.meeting_record(
            cycle=cycle,
            village=village,
            held_on=MEETING_DAY,
            chair="Trưởng thôn",
            representatives_present=30,
            representatives_total=50,
        )
    services.posting_record(cycle=cycle, starts_on=POSTING_DAY, place="Nhà văn hóa thôn")
    posting = cycle.posting
    services.complaint_record(
        cycle=cycle,
        household=cycle.assessments.get(household__code="B1").household,
        complainant="Người dân thôn B",
        content="Hộ có xe ô tô, đề nghị phúc tra.",
        received_on=posting.starts_on,
    )
    for viewport, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = logged_in_page("officer", viewport)
        page.goto(f"{live_server.url}/cycles/{cycle.pk}/")
        expect(page.get_by_test_id("refusals")).to_contain_text("khiếu nại chưa giải quyết")
        expect(page.get_by_test_id("complaints")).to_contain_text("Hoàng Thị Bích")
        assert fits(page, viewport["width"])
        path = tmp_path / f"cycle-stages-{name}.png"
        page.screenshot(path=path, full_page=True)
        keep(path)
        page.close()
    assert datetime.date.today() > posting.ends_on
