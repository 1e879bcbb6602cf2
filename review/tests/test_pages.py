"""The cycle pages: the stage track with what is missing, a whole periodic review walked through
the forms, who may act where, double submits, and the page's query count."""

import datetime

import pytest
from django.urls import reverse

from households import services as household_services
from households.models import ReviewCycle, ReviewExemption
from households.tests.factories import ReviewCycleFactory
from review.models import Complaint, CycleEvent, MeetingResult, Posting, VillageMeeting
from review.tests.test_stages import MEETING_DAY, POSTING_DAY, TODAY, home, record

pytestmark = pytest.mark.django_db

Stage = ReviewCycle.Stage


@pytest.fixture
def cycle(commune):
    return ReviewCycleFactory(commune=commune, year=2024)


@pytest.fixture
def homes(village_a, village_b):
    return {
        "a1": home(village_a, head_name="Hộ Một Thôn A", code="A1"),
        "a2": home(village_a, head_name="Hộ Hai Thôn A", code="A2"),
        "b1": home(village_b, head_name="Hộ Bí Mật Thôn B", code="B1"),
    }


def page(client, cycle):
    return client.get(reverse("cycle_detail", args=[cycle.pk]))


def url(name, cycle, *more):
    return reverse(name, args=[cycle.pk, *more])


def meeting_data(present=6, total=10, **more):
    return {
        "held_on": MEETING_DAY.isoformat(),
        "chair": "Trưởng thôn",
        "representatives_present": present,
        "representatives_total": total,
        **more,
    }


def test_the_page_shows_the_stage_and_what_is_missing(client, officer, cycle, homes):
    record(cycle, homes["a1"])
    cycle.stage = Stage.SURVEY
    cycle.save()
    client.force_login(officer)
    response = page(client, cycle)
    html = response.content.decode()
    assert 'aria-current="step">Điều tra, rà soát<' in html
    assert "Bước tiếp theo: Họp thôn" in html
    assert "Còn 2/3 hộ trong danh sách chưa có kết quả rà soát và chưa ghi lý do" in html
    assert "Số liệu tạm thời" in html
    rows = {r.village.name: r for r in response.context["rows"]}
    assert (rows["Thôn A"].reviewed, rows["Thôn A"].missing, rows["Thôn B"].missing) == (1, 1, 1)
    response = client.post(url("cycle_advance", cycle), {"to_stage": "meetings"}, follow=True)
    assert "Còn 2/3 hộ" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.stage == Stage.SURVEY


def test_a_whole_periodic_review_through_the_pages(
    client, officer, board_a, cycle, homes, village_a, village_b
):
    client.force_login(officer)
    assert client.post(url("cycle_advance", cycle), {"to_stage": "survey"}).status_code == 302
    for h in (homes["a1"], homes["a2"]):
        record(cycle, h)
    # the household of Thôn B moved out: a reason instead of a result, from the page
    data = {"household": "B1", "reason": ReviewExemption.Reason.MOVED_OUT, "note": "Đi Bình Dương"}
    assert client.post(url("cycle_exemption_add", cycle), data).status_code == 302
    assert client.post(url("cycle_exemption_add", cycle), data).status_code == 302
    assert ReviewExemption.objects.get().household == homes["b1"]
    client.post(url("cycle_advance", cycle), {"to_stage": "meetings"})
    cycle.refresh_from_db()
    assert cycle.stage == Stage.MEETINGS

    # the board of Thôn A records its meeting, with one household not agreed
    client.force_login(board_a)
    meeting_url = url("cycle_meeting", cycle, village_a.pk)
    form = client.get(meeting_url)
    assert "Hộ Hai Thôn A" in form.content.decode()
    data = meeting_data(not_agreed=[homes["a2"].pk], **{f"note_{homes['a2'].pk}": "Chưa đúng"})
    assert client.post(meeting_url, data).status_code == 302
    assert client.post(meeting_url, data).status_code == 302  # posted twice
    assert VillageMeeting.objects.count() == 1 and VillageMeeting.history.count() == 1
    assert MeetingResult.objects.get(agreed=False).note == "Chưa đúng"
    client.force_login(officer)
    html = page(client, cycle).content.decode()
    assert "Thôn B" in html and "1 hộ không nhất trí, chờ rà soát lại" in html
    posting = {"starts_on": POSTING_DAY.isoformat(), "place": "Nhà văn hóa"}
    response = client.post(url("cycle_posting", cycle), posting)
    assert response.status_code == 200
    assert "Còn 1 hộ họp thôn không nhất trí" in response.content.decode()
    record(cycle, homes["a2"], income=1_000_000)  # re-surveyed
    client.post(url("cycle_meeting", cycle, village_b.pk), meeting_data())
    assert client.post(url("cycle_posting", cycle), posting).status_code == 302
    assert client.post(url("cycle_posting", cycle), posting).status_code == 302  # twice
    assert Posting.objects.count() == 1 and Posting.history.count() == 1
    cycle.refresh_from_db()
    assert cycle.stage == Stage.POSTING

    # one complaint, received while posted, then resolved
    received = Posting.objects.get().starts_on
    complaint = {
        "household": "A1",
        "complainant": "Người dân thôn A",
        "content": "Hộ có xe ô tô",
        "received_on": received.isoformat(),
    }
    assert client.post(url("cycle_complaint_add", cycle), complaint).status_code == 302
    assert client.post(url("cycle_complaint_add", cycle), complaint).status_code == 302
    entry = Complaint.objects.get()
    decision = {
        "decision_number": "45/QĐ-UBND",
        "decision_date": TODAY.isoformat(),
        "decision_signer": "Chủ tịch UBND xã",
    }
    response = client.post(url("cycle_finalise", cycle), decision)
    assert "Còn 1 khiếu nại chưa giải quyết." in response.content.decode()
    resolve = {"resolved_on": received.isoformat(), "resolution": "Phúc tra, giữ nguyên"}
    client.post(url("cycle_complaint_resolve", cycle, entry.pk), resolve)
    entry.refresh_from_db()
    assert not entry.is_open
    assert client.post(url("cycle_finalise", cycle), decision).status_code == 302
    cycle.refresh_from_db()
    assert cycle.is_finalised and cycle.stage == Stage.DECIDED
    html = page(client, cycle).content.decode()
    assert "Số liệu chính thức" in html and "45/QĐ-UBND" in html

    # reopened with a reason: provisional again, the reason in the history
    response = client.post(url("cycle_reopen", cycle), {"reason": ""})
    assert response.status_code == 200
    client.post(url("cycle_reopen", cycle), {"reason": "Khiếu nại sau quyết định"})
    cycle.refresh_from_db()
    assert cycle.status == ReviewCycle.Status.DRAFT and cycle.stage == Stage.POSTING
    html = page(client, cycle).content.decode()
    assert "Số liệu tạm thời" in html and "Khiếu nại sau quyết định" in html
    assert CycleEvent.objects.count() == 5


def test_a_board_keeps_its_own_village_and_moves_no_stage(
    client, board_a, cycle, homes, village_a, village_b
):
    for h in homes.values():
        record(cycle, h)
    cycle.stage = Stage.MEETINGS
    cycle.save()
    client.force_login(board_a)
    response = page(client, cycle)
    assert [r.village for r in response.context["rows"]] == [village_a]
    assert "Hộ Bí Mật Thôn B" not in response.content.decode()
    assert response.context["can_advance"] is False and response.context["decision_form"] is None
    assert client.get(url("cycle_meeting", cycle, village_b.pk)).status_code == 404
    assert client.post(url("cycle_meeting", cycle, village_b.pk), meeting_data()).status_code == 404
    for name in ("cycle_advance", "cycle_posting", "cycle_finalise", "cycle_reopen"):
        assert client.post(url(name, cycle), {"to_stage": "posting"}).status_code == 403
    assert not VillageMeeting.objects.exists()
    cycle.refresh_from_db()
    assert cycle.stage == Stage.MEETINGS


def test_only_commune_officers_create_cycles_and_decide(
    client, officer, board_a, viewer, other_officer, commune, village_a
):
    data = {"commune": commune.pk, "year": 2024, "kind": "periodic", "reference_date": "2024-12-14"}
    for user in (board_a, viewer):
        client.force_login(user)
        assert client.post(reverse("cycle_list"), data).status_code == 403
    assert not ReviewCycle.objects.exists()
    client.force_login(officer)
    assert client.post(reverse("cycle_list"), data).status_code == 302
    cycle = ReviewCycle.objects.get()
    record(cycle, home(village_a))
    for user in (board_a, viewer):
        client.force_login(user)
        # refused before the cycle is fetched: neither may decide anywhere
        assert client.post(url("cycle_finalise", cycle)).status_code == 403
    client.force_login(other_officer)
    assert client.post(url("cycle_finalise", cycle)).status_code == 404
    client.force_login(officer)
    # the old one-click close is gone: a periodic review is decided after its stages
    response = client.post(
        url("cycle_finalise", cycle),
        {"decision_number": "1", "decision_date": TODAY.isoformat(), "decision_signer": "A"},
    )
    assert response.status_code == 200 and "Đợt đang ở bước “Mở đợt”" in response.content.decode()
    cycle.refresh_from_db()
    assert not cycle.is_finalised


def test_an_ad_hoc_cycle_still_closes_in_one_step(client, officer, commune, village_a):
    cycle = ReviewCycleFactory(
        commune=commune,
        year=2024,
        kind=ReviewCycle.Kind.AD_HOC,
        reference_date=datetime.date(2024, 6, 14),
    )
    record(cycle, home(village_a))
    client.force_login(officer)
    assert "Chốt đợt rà soát" in page(client, cycle).content.decode()
    client.post(url("cycle_finalise", cycle))
    cycle.refresh_from_db()
    assert cycle.is_finalised


def test_data_loaded_whole_is_decided_by_its_close(cycle, homes):
    for h in homes.values():
        record(cycle, h)
    household_services.review_cycle_finalise(cycle=cycle, user=None)
    cycle.refresh_from_db()
    assert cycle.stage == Stage.DECIDED


@pytest.mark.parametrize("villages", [2, 12])
def test_the_cycle_page_takes_a_fixed_number_of_queries(
    client, officer, cycle, commune, django_assert_max_num_queries, villages
):
    from areas.tests.factories import VillageFactory

    for i in range(villages):
        village = VillageFactory(name=f"Thôn {i}", parent=commune)
        for _ in range(3):
            record(cycle, home(village))
    cycle.stage = Stage.POSTING
    cycle.save()
    client.force_login(officer)
    page(client, cycle)
    with django_assert_max_num_queries(15):
        assert page(client, cycle).status_code == 200


def test_the_page_links_the_documents_of_the_stages_reached(
    client, officer, board_a, cycle, homes, commune, village_a
):
    client.force_login(officer)
    slugs = [d["html"].split("/")[2] for d in page(client, cycle).context["documents"]]
    assert slugs == ["review_households", "review_summary"]
    for h in homes.values():
        record(cycle, h)
    for stage in (Stage.SURVEY, Stage.MEETINGS, Stage.POSTING):
        cycle.stage = stage
        cycle.save()
    documents = page(client, cycle).context["documents"]
    assert [d["html"].split("/")[2] for d in documents] == [
        "review_households",
        "review_minutes",
        "review_posting",
        "review_complaints",
        "review_decision",
        "review_summary",
    ]
    assert all(f"area={commune.pk}&year=2024" in d["html"] for d in documents)
    assert client.get(documents[4]["pdf"]).content.startswith(b"%PDF")
    # a board: the lists naming households of its own village, the summary of the commune
    client.force_login(board_a)
    html = page(client, cycle).content.decode()
    documents = page(client, cycle).context["documents"]
    assert all(
        f"area={village_a.pk}&" in d["html"] for d in documents if "summary" not in d["html"]
    )
    assert "Thôn A" in html and client.get(documents[0]["html"]).status_code == 200
