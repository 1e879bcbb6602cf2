"""Ad-hoc review (rà soát thường xuyên) through its pages: a household's application, its result
in the commune's ad-hoc cycle of the month, the commune's decision or the withdrawal; the order of
the steps, double posts, who may see and do what, and the household page's steps."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.tests.factories import UserFactory
from households import services as household_services
from households.models import Assessment, Household, ReviewCycle, ReviewRequest
from review import adhoc_services

pytestmark = pytest.mark.django_db

RECEIVED = datetime.date(2026, 3, 2)
REVIEWED = datetime.date(2026, 3, 10)
DECIDED = datetime.date(2026, 3, 16)


def make_home(village, head, code):
    home = household_services.household_create(
        village=village,
        code=code,
        head_name=head,
        floor_area_m2=60,
        house_material="durable",
        water_source="piped",
        latrine="hygienic",
    )
    household_services.member_add(
        household=home,
        full_name=head,
        sex="M",
        relation_to_head="head",
        date_of_birth=datetime.date(1980, 1, 1),
        has_health_insurance=True,
    )
    return home


@pytest.fixture
def home(village_a):
    return make_home(village_a, "Lục Văn Tâm", "VA-01")


def application(kind="review", received_on=RECEIVED, applicant="", note="Gia đình có người ốm"):
    return {
        "kind": kind,
        "received_on": received_on.isoformat(),
        "applicant": applicant,
        "note": note,
    }


def review_data(version=0, income="900000", ticks=("1.1", "3.1", "6.2")):
    data = {"income_per_capita": income, "b1_score": "", "version": version}
    for code in ticks:
        data[f"ind_{code.replace('.', '_')}"] = "on"
    return data


def record(client, home, **fields):
    response = client.post(reverse("adhoc_create", args=[home.pk]), application(**fields))
    assert response.status_code == 302, response.content.decode()[:2000]
    return ReviewRequest.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[1])


def assess(client, req, day=REVIEWED, **data):
    response = client.post(
        reverse("adhoc_result_start", args=[req.pk]), {"review_date": day.isoformat()}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(response.url, review_data(**data))
    assert response.status_code == 302
    req.refresh_from_db()
    return req


def decide(client, req, number="12/QĐ-UBND", day=DECIDED):
    return client.post(
        reverse("adhoc_decide", args=[req.pk]),
        {"decision_number": number, "decision_date": day.isoformat()},
    )


# --- the whole flow ---------------------------------------------------------------------------


def test_an_application_goes_through_result_and_decision(client, officer, home):
    client.force_login(officer)
    page = client.get(reverse("household_detail", args=[home.pk])).content.decode()
    assert reverse("adhoc_create", args=[home.pk]) in page  # "Ghi đơn đề nghị"

    assert client.get(reverse("adhoc_create", args=[home.pk])).status_code == 200
    req = record(client, home, applicant="Lục Thị Hoa")
    assert (req.status, req.received_on, req.recorded_by) == ("received", RECEIVED, officer)
    detail = client.get(reverse("adhoc_detail", args=[req.pk])).content.decode()
    assert 'data-testid="start-form"' in detail and 'data-testid="decision-form"' not in detail

    # The result: the month's ad-hoc cycle is created, and the household's review form opens.
    response = client.post(
        reverse("adhoc_result_start", args=[req.pk]), {"review_date": REVIEWED.isoformat()}
    )
    cycle = ReviewCycle.objects.get(kind="ad_hoc")
    assert response.url == reverse("adhoc_result", args=[req.pk, cycle.pk])
    assert (cycle.commune, cycle.year, cycle.reference_date) == (
        home.commune,
        2026,
        datetime.date(2026, 3, 31),
    )
    assert cycle.standard.code == "2022-2025" and cycle.status == "draft"
    form = client.get(response.url).content.decode()
    assert 'data-testid="review-form"' in form and "Kết quả rà soát cho đơn" in form
    assert client.post(response.url, review_data()).status_code == 302
    req.refresh_from_db()
    assessment = Assessment.objects.get()
    assert (req.status, req.assessment) == ("assessed", assessment)
    assert (assessment.cycle, assessment.household_class) == (cycle, "poor")

    # The decision.
    assert decide(client, req).status_code == 302
    req.refresh_from_db()
    assert (req.status, req.decision_number, req.decision_date) == (
        "decided",
        "12/QĐ-UBND",
        DECIDED,
    )

    # The household page shows the request and its steps, oldest first.
    page = client.get(reverse("household_detail", args=[home.pk])).content.decode()
    steps = page[page.index('data-testid="request-steps"') :]
    assert steps.index("Đã nhận đơn") < steps.index("Đã rà soát") < steps.index("Đã có quyết định")
    assert "Nhận đơn ngày 02/03/2026 (Lục Thị Hoa)" in steps
    assert "Quyết định số 12/QĐ-UBND ngày 16/03/2026" in steps
    assert "Hộ nghèo" in steps
    # ...and offers no entry in the ad-hoc cycle outside a request.
    assert reverse("review_entry", args=[home.pk, cycle.pk]) not in page


def test_a_second_month_has_its_own_cycle_and_one_result_per_household_a_month(
    client, officer, home
):
    client.force_login(officer)
    first = assess(client, record(client, home))
    assert decide(client, first).status_code == 302
    exit_request = record(client, home, kind="exit", received_on=datetime.date(2026, 3, 20))
    response = client.post(
        reverse("adhoc_result_start", args=[exit_request.pk]),
        {"review_date": "2026-03-25"},
        follow=True,
    )
    assert "mỗi hộ có một kết quả mỗi tháng" in response.content.decode()
    assert ReviewCycle.objects.filter(kind="ad_hoc").count() == 1
    exit_request = assess(
        client, exit_request, day=datetime.date(2026, 4, 2), income="3000000", ticks=()
    )
    assert exit_request.assessment.household_class == "not_poor"
    assert exit_request.assessment.cycle.reference_date == datetime.date(2026, 4, 30)
    assert ReviewCycle.objects.filter(kind="ad_hoc").count() == 2


def test_the_result_can_be_corrected_until_the_decision(client, officer, home):
    client.force_login(officer)
    req = assess(client, record(client, home))
    url = reverse("adhoc_result", args=[req.pk, req.assessment.cycle_id])
    assert client.post(url, review_data(version=1, ticks=("1.1", "3.1"))).status_code == 302
    req.refresh_from_db()
    assert req.assessment.household_class == "near_poor" and Assessment.objects.count() == 1
    decide(client, req)
    response = client.post(url, review_data(version=2, ticks=()), follow=True)
    assert "không sửa kết quả được nữa" in response.content.decode()
    req.refresh_from_db()
    assert req.assessment.household_class == "near_poor"
    # Nor through the household's review page: the result stays as the commune decided it.
    entry = reverse("review_entry", args=[home.pk, req.assessment.cycle_id])
    page = client.get(entry).content.decode()
    assert "Xã đã có quyết định theo kết quả này" in page and "save-review" not in page
    assert client.post(entry, review_data(version=2, ticks=())).status_code == 200
    assert Assessment.objects.get().household_class == "near_poor"


# --- out of order, and wrong dates ------------------------------------------------------------


def test_a_decision_without_a_result_is_refused(client, officer, home):
    client.force_login(officer)
    req = record(client, home)
    response = decide(client, req)
    assert response.status_code == 200
    assert "Chưa có kết quả rà soát: hãy nhập kết quả trước khi ghi quyết định." in (
        response.content.decode()
    )
    req.refresh_from_db()
    assert req.status == "received" and req.decision_number == ""


def test_a_withdrawn_request_takes_no_result_and_no_decision(client, officer, home):
    client.force_login(officer)
    req = record(client, home)
    url = reverse("adhoc_withdraw", args=[req.pk])
    empty = client.post(url, {"reason": " "})
    assert empty.status_code == 200 and 'data-error-for="reason"' in empty.content.decode()
    assert client.post(url, {"reason": "Hộ xin rút đơn"}).status_code == 302
    req.refresh_from_db()
    assert req.status == "withdrawn"
    start = client.post(reverse("adhoc_result_start", args=[req.pk]), {"review_date": "2026-03-10"})
    assert "Đề nghị đã rút; không nhập kết quả được." in start.content.decode()
    assert "Đề nghị đã rút; không ghi quyết định được." in decide(client, req).content.decode()
    assert not ReviewCycle.objects.exists()
    page = client.get(reverse("household_detail", args=[req.household_id])).content.decode()
    assert "Rút đơn / không xét</strong>: Hộ xin rút đơn" in page


def test_a_decided_request_cannot_be_withdrawn_nor_decided_again(client, officer, home):
    client.force_login(officer)
    req = assess(client, record(client, home))
    decide(client, req)
    refused = client.post(reverse("adhoc_withdraw", args=[req.pk]), {"reason": "Nhầm"})
    assert "Đề nghị đã có quyết định; không rút được." in refused.content.decode()
    other = decide(client, req, number="13/QĐ-UBND")
    assert "Đề nghị đã có quyết định số 12/QĐ-UBND ngày 16/03/2026." in other.content.decode()
    req.refresh_from_db()
    assert (req.status, req.decision_number) == ("decided", "12/QĐ-UBND")


def test_dates_in_the_future_or_before_the_application_are_refused(client, officer, home):
    client.force_login(officer)
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    response = client.post(
        reverse("adhoc_create", args=[home.pk]), application(received_on=tomorrow)
    )
    assert "Ngày nhận đơn không thể ở tương lai." in response.content.decode()
    req = record(client, home)
    start = reverse("adhoc_result_start", args=[req.pk])
    before = client.post(start, {"review_date": "2026-03-01"}).content.decode()
    assert "Ngày rà soát không thể trước ngày nhận đơn 02/03/2026." in before
    later = client.post(start, {"review_date": tomorrow.isoformat()}).content.decode()
    assert "Ngày rà soát không thể ở tương lai." in later
    assert not ReviewCycle.objects.exists()
    req = assess(client, req)
    early = decide(client, req, day=datetime.date(2026, 3, 1)).content.decode()
    assert "Ngày quyết định không thể trước ngày nhận đơn 02/03/2026." in early
    assert (
        "Ngày quyết định không thể ở tương lai."
        in decide(client, req, day=tomorrow).content.decode()
    )
    req.refresh_from_db()
    assert req.status == "assessed"


def test_a_household_off_the_registry_or_with_a_pending_request_is_refused(
    client, officer, home, village_a
):
    client.force_login(officer)
    record(client, home)
    again = client.post(
        reverse("adhoc_create", args=[home.pk]), application(note="Đơn khác")
    ).content.decode()
    assert "đang có đơn “Đề nghị rà soát (xét vào hộ nghèo, cận nghèo)” nhận ngày 02/03/2026" in (
        again
    )
    gone = make_home(village_a, "Hà Văn Đi", "VA-02")
    Household.objects.filter(pk=gone.pk).update(left_registry_on=datetime.date(2026, 2, 1))
    refused = client.post(reverse("adhoc_create", args=[gone.pk]), application()).content.decode()
    assert "không có trong danh sách hộ của xã vào ngày 02/03/2026" in refused
    assert ReviewRequest.objects.count() == 1


def test_a_result_page_of_another_cycle_is_refused(client, officer, home, commune):
    client.force_login(officer)
    req = record(client, home)
    periodic = household_services.review_cycle_create(commune=commune, year=2025)
    url = reverse("adhoc_result", args=[req.pk, periodic.pk])
    assert client.get(url).status_code == 404  # not an ad-hoc cycle
    february = adhoc_services.adhoc_cycle(commune=commune, day=datetime.date(2026, 2, 10))
    response = client.post(
        reverse("adhoc_result", args=[req.pk, february.pk]), review_data(), follow=True
    )
    assert "Đợt rà soát tháng 02/2026 đã qua trước ngày nhận đơn 02/03/2026." in (
        response.content.decode()
    )
    assert not Assessment.objects.exists()


# --- posted twice, written once ---------------------------------------------------------------


def test_each_step_posted_twice_writes_once(client, officer, home):
    client.force_login(officer)
    first = record(client, home)
    second = record(client, home)
    assert first == second and ReviewRequest.objects.count() == 1
    assert (
        "Đơn này đã được ghi trước đó."
        in client.get(reverse("adhoc_detail", args=[first.pk])).content.decode()
    )

    start = reverse("adhoc_result_start", args=[first.pk])
    url = client.post(start, {"review_date": "2026-03-10"}).url
    assert client.post(url, review_data()).status_code == 302
    assert client.post(url, review_data()).status_code == 302  # the same values, version 0 again
    assert Assessment.objects.count() == 1 and Assessment.objects.get().version == 1
    assert client.post(start, {"review_date": "2026-03-10"}).url == url

    decide(client, first)
    decide(client, first)
    first.refresh_from_db()
    assert first.status == "decided"
    statuses = list(first.history.order_by("history_id").values_list("status", flat=True))
    assert statuses == ["received", "assessed", "decided"]


def test_a_withdrawal_posted_twice_writes_once(client, officer, home):
    client.force_login(officer)
    req = record(client, home)
    for _ in range(2):
        response = client.post(reverse("adhoc_withdraw", args=[req.pk]), {"reason": "Hộ xin rút"})
        assert response.status_code == 302
    assert req.history.count() == 2  # created, withdrawn


# --- who sees and does what -------------------------------------------------------------------


def test_a_village_board_sees_its_village_requests_and_records_none(
    client, officer, board_a, board_b, home
):
    client.force_login(officer)
    req = record(client, home)
    detail = reverse("adhoc_detail", args=[req.pk])

    client.force_login(board_a)
    page = client.get(detail)
    assert page.status_code == 200 and "Lục Văn Tâm" in page.content.decode()
    assert 'data-testid="start-form"' not in page.content.decode()
    assert "Lục Văn Tâm" in client.get(reverse("adhoc_list")).content.decode()
    assert client.get(reverse("adhoc_create", args=[home.pk])).status_code == 403
    assert client.post(reverse("adhoc_create", args=[home.pk]), application()).status_code == 403
    assert decide(client, req).status_code == 403
    household_page = client.get(reverse("household_detail", args=[home.pk])).content.decode()
    assert 'data-testid="request"' in household_page
    assert 'data-testid="record-request"' not in household_page

    client.force_login(board_b)
    assert client.get(detail).status_code == 404
    listing = client.get(reverse("adhoc_list")).content.decode()
    assert "Lục Văn Tâm" not in listing and "Không có đơn đề nghị nào." in listing
    assert ReviewRequest.objects.count() == 1


def test_an_officer_of_another_commune_finds_nothing(client, officer, other_officer, home, commune):
    client.force_login(officer)
    req = record(client, home)
    client.force_login(other_officer)
    assert client.get(reverse("adhoc_detail", args=[req.pk])).status_code == 404
    assert client.get(reverse("adhoc_create", args=[home.pk])).status_code == 404
    assert client.post(reverse("adhoc_create", args=[home.pk]), application()).status_code == 404
    assert decide(client, req).status_code == 404
    start = client.post(reverse("adhoc_result_start", args=[req.pk]), {"review_date": "2026-03-10"})
    assert start.status_code == 404
    forged = client.get(reverse("adhoc_list"), {"commune": commune.pk}).content.decode()
    assert "Lục Văn Tâm" not in forged
    assert ReviewRequest.objects.count() == 1 and not ReviewCycle.objects.exists()


def test_a_viewer_reads_but_changes_nothing_and_finance_reads_no_names(
    client, officer, viewer, home, commune
):
    client.force_login(officer)
    req = record(client, home)
    client.force_login(viewer)
    assert client.get(reverse("adhoc_detail", args=[req.pk])).status_code == 200
    assert (
        "Lục Văn Tâm" in client.get(reverse("adhoc_list"), {"commune": commune.pk}).content.decode()
    )
    assert client.post(reverse("adhoc_withdraw", args=[req.pk]), {"reason": "x"}).status_code == 403
    finance = UserFactory(username="finance", membership=(commune, "finance"))
    client.force_login(finance)
    assert client.get(reverse("adhoc_list")).status_code == 403
    assert client.get(reverse("adhoc_detail", args=[req.pk])).status_code == 403
    req.refresh_from_db()
    assert req.status == "received"


def test_the_services_refuse_a_user_without_the_right(board_a, home):
    with pytest.raises(Exception, match="không có quyền"):
        adhoc_services.request_record(
            household=home, kind="review", received_on=RECEIVED, user=board_a
        )


# --- the list ---------------------------------------------------------------------------------


def test_the_list_filters_by_status_in_a_bounded_number_of_queries(
    client, officer, village_a, village_b, django_assert_max_num_queries
):
    homes = [
        make_home(village_a if i % 2 else village_b, f"Chủ hộ {i}", f"H-{i:02d}") for i in range(12)
    ]
    for i, h in enumerate(homes):
        req, _created = adhoc_services.request_record(
            household=h, kind="review", received_on=RECEIVED - datetime.timedelta(days=i)
        )
        if i < 4:
            adhoc_services.request_withdraw(request=req, reason="Rút")
    client.force_login(officer)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("adhoc_list"))
    text = response.content.decode()
    assert text.count("Chủ hộ") == 12
    assert (
        "Tổng số: 12 · Đã nhận đơn: 8 · Đã rà soát: 0 · Đã có quyết định: 0 · "
        "Rút đơn / không xét: 4" in text
    )
    with django_assert_max_num_queries(10):
        withdrawn = client.get(reverse("adhoc_list"), {"status": "withdrawn"}).content.decode()
    assert (
        withdrawn.count("Chủ hộ") == 4 and "Chủ hộ 0" in withdrawn and "Chủ hộ 5" not in withdrawn
    )
    assert "quá hạn" in text  # applications from March, undecided after 15 days


# --- the URL walk of accounts/tests/test_url_walk.py, over these pages with requests present ---


@pytest.mark.parametrize("who", ["board_a", "other_officer", "viewer"])
def test_the_walk_of_the_request_pages_shows_and_changes_nothing_foreign(
    client, request, who, officer, village_a, village_b, other_village, commune, other_commune
):
    from django.urls import get_resolver

    from accounts.tests.test_url_walk import forged_payload, row_counts, urls_for, walk

    own = make_home(village_a, "Chủ Hộ Thôn A", "VA-01")
    b = make_home(village_b, "Bí Mật Thôn B", "VB-01")
    far = make_home(other_village, "Bí Mật Xã Khác", "XK-01")
    requests = {}
    for home in (own, b, far):
        req, _created = adhoc_services.request_record(
            household=home, kind="review", received_on=RECEIVED, note=f"Đơn {home.code}"
        )
        cycle = adhoc_services.result_cycle(request=req, day=REVIEWED)
        assessment = household_services.assessment_record(
            cycle=cycle, household=home, income_per_capita=900_000
        )
        requests[home.code] = adhoc_services.result_link(request=req, assessment=assessment)
    user = request.getfixturevalue(who)
    secrets = {
        "board_a": ["Bí Mật Thôn B", "Bí Mật Xã Khác", "Đơn VB-01", "Đơn XK-01"],
        "other_officer": ["Chủ Hộ Thôn A", "Bí Mật Thôn B", "Đơn VA-01", "Đơn VB-01"],
        "viewer": ["Bí Mật Xã Khác", "Đơn XK-01"],
    }[who]

    # The ids of the rows the user may not change: all for a board or a viewer (who change
    # nothing); for the other commune's officer, all but its own commune's. Every id stands for
    # every kind of row in a route, so an id that is also one of its own rows is left out.
    def ids_of(homes):
        return (
            {requests[h.code].pk for h in homes}
            | {requests[h.code].assessment.cycle_id for h in homes}
            | {h.pk for h in homes}
        )

    mine = ids_of([far]) if who == "other_officer" else set()
    ids = sorted(ids_of([own, b, far]) - mine)
    client.force_login(user)
    routes = [r for r, _p in walk(get_resolver().url_patterns) if r.startswith("review/requests/")]
    assert len(routes) == 7
    payload = forged_payload(village_b, commune) | {
        "received_on": "2026-03-05",
        "review_date": "2026-03-10",
        "decision_number": "99/QĐ",
        "decision_date": "2026-03-20",
        "reason": "Giả mạo",
    }
    for route in routes:
        for path in urls_for(route, ids):
            before = row_counts()
            for method in ("get", "post"):
                response = getattr(client, method)(path, payload if method == "post" else None)
                assert response.status_code < 500, (method, path)
                text = response.content.decode()
                assert not [s for s in secrets if s in text], (who, method, path)
            assert row_counts() == before, (who, path)
    for req in requests.values():
        req.refresh_from_db()
        assert req.status == "assessed"


def test_a_decided_result_cannot_be_changed_by_the_bulk_path_either(client, officer, home):
    """The review form shows a decided result read only; the service behind the form and the
    Excel import (``assessments_record``) refuses to change it too."""
    client.force_login(officer)
    req = assess(client, record(client, home))
    decide(client, req)
    req.refresh_from_db()
    assert req.status == ReviewRequest.Status.DECIDED
    before = (req.assessment.income_per_capita, req.assessment.version)
    with pytest.raises(ValidationError, match="Xã đã có quyết định theo kết quả của hộ"):
        household_services.assessments_record(
            cycle=req.assessment.cycle,
            entries=[household_services.AssessmentEntry(home, 3_000_000, None, ())],
        )
    req.assessment.refresh_from_db()
    assert (req.assessment.income_per_capita, req.assessment.version) == before
