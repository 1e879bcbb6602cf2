"""One definition of a household's standing (households/standing.py): each rule on its own, and
the same figures in every report on one set of data with households that left, joined later and
were not reviewed again."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse

from households import services, standing, summary
from households.models import (
    Assessment,
    Household,
    ReviewCycle,
    ReviewExemption,
    ReviewRequest,
    village_progress,
)
from households.reports.baseline import baseline, baseline_report
from households.reports.communes import communes
from households.reports.lists import lists, lists_row_count
from households.reports.movement import movement
from households.reports.mpi import mpi
from households.reports.progress import progress
from households.tests.report_data import cycle_of, finalise, households, record
from households.tests.test_views import household_form_data
from indicators.models import Indicator
from reports.errors import ReportError

pytestmark = pytest.mark.django_db

AVERAGE = (2_000_000, ())  # above the rural poverty line, within the average band (2,25 M)
REF_2023, REF_2024 = datetime.date(2023, 12, 14), datetime.date(2024, 12, 14)


def keep(cycle, *homes, reason=ReviewExemption.Reason.KEPT_PREVIOUS):
    for home in homes:
        ReviewExemption.objects.create(cycle=cycle, household=home, reason=reason)
    summary.touch(summary.villages_of_households([h.pk for h in homes]))


def set_dates(home, *, joined=None, how="original", left=None):
    Household.objects.filter(pk=home.pk).update(
        joined_registry_on=joined, joined_how=how, left_registry_on=left
    )
    home.refresh_from_db()
    summary.touch(summary.villages_of_households([home.pk]))


def by_key(table):
    return {r["key"]: r for r in table.rows}


@pytest.fixture
def year_data(village_a, village_b):
    """Two reviews of Xã Vĩnh Hảo, 2023 (finalised) and 2024:

    ======  =========  ==========================================  ===========
    house   2023       2024                                        2024 counts
    ======  =========  ==========================================  ===========
    a0      poor       poor                                        poor
    a1      poor       not poor (escaped)                          –
    a2      poor       not reviewed again, kept the 2023 result    poor
    a3      poor       left the registry on 01/11/2024             nowhere
    a4      poor       poor, then left on 01/12/2024 (≤ 14/12)     nowhere
    a5      near-poor  near-poor                                   near-poor
    a6      near-poor  kept the 2023 result                        near-poor
    a7      not poor   average living standard                     average
    b0      not poor   poor (newly)                                poor
    b1      not poor   not poor                                    –
    new     –          joined 01/03/2024 (new household): poor     poor
    late    –          joined 10/01/2025: not on the 2024 registry nowhere
    ======  =========  ==========================================  ===========

    End of 2024: 4 poor, 2 near-poor, 1 average, of 9 households; end of 2023: 5 poor,
    2 near-poor, of 10 households.
    """
    commune = village_a.parent
    a = households(village_a, 8)
    b = households(village_b, 2)
    new, late = households(village_b, 2)
    set_dates(new, joined=datetime.date(2024, 3, 1), how="new")
    set_dates(late, joined=datetime.date(2025, 1, 10), how="moved_in")
    c23, c24 = cycle_of(commune, 2023), cycle_of(commune, 2024)
    record(
        c23,
        {
            **{h: "poor" for h in a[:5]},
            a[5]: "near",
            a[6]: "near",
            a[7]: "out",
            b[0]: "out",
            b[1]: "out",
        },
    )
    finalise(c23, datetime.date(2023, 12, 20))
    set_dates(a[3], left=datetime.date(2024, 11, 1))
    keep(c24, a[3], reason=ReviewExemption.Reason.MOVED_OUT)
    record(
        c24,
        {
            a[0]: "poor",
            a[1]: "out",
            a[4]: "poor",
            a[5]: "near",
            a[7]: AVERAGE,
            b[0]: "poor",
            b[1]: "out",
            new: "poor",
        },
    )
    keep(c24, a[2], a[6])
    set_dates(a[4], left=datetime.date(2024, 12, 1))  # after its result was recorded
    return {"commune": commune, "a": a, "b": b, "new": new, "late": late, "c23": c23, "c24": c24}


# --- the same figures everywhere ------------------------------------------------------------


def test_every_report_gives_the_same_end_of_year_figures(year_data, district):
    commune = year_data["commune"]
    summary = by_key(baseline(commune, 2024).table("summary"))
    assert summary["poor"]["households"] == 4 and summary["poor"]["members"] == 8
    assert summary["near_poor"]["households"] == 2
    assert summary["average"]["households"] == 1 and summary["average"]["members"] == 2
    assert summary["all"]["households"] == 9
    assert summary["poor"]["rate"] == Decimal("44.44")  # 4 of 9

    end = by_key(progress(commune, 2024).table("appendix"))["total"]
    assert (end["poor_now"], end["near_now"], end["households"]) == (4, 2, 9)

    moved = by_key(movement(commune, 2024).tables[0])["total"]
    assert (moved["end_poor"], moved["end_near"]) == (4, 2)

    table = communes(district, 2024).tables[0]
    row = next(r for r in table.rows if r["unit"] == "Xã Vĩnh Hảo")
    assert (row["poor"], row["near_poor"], row["households"]) == (4, 2, 9)
    assert (row["average"], row["average_members"]) == (1, 2)
    assert row["poor_rate"] == summary["poor"]["rate"]
    assert row["average_rate"] == summary["average"]["rate"] == Decimal("11.11")

    listed = lists(commune, 2024)
    assert len(listed.table("poor").rows) == 4 and len(listed.table("near_poor").rows) == 2
    assert len(listed.table("average").rows) == 1
    assert lists_row_count(commune, 2024) == 7

    total = by_key(mpi(commune, 2024).table("by_unit"))["total"]
    assert (total["poor"], total["households"]) == (4, 9)

    rows = village_progress(commune, Q(cycle=year_data["c24"]), day=REF_2024)
    assert sum(r["poor"] for r in rows) == 4 and sum(r["near_poor"] for r in rows) == 2
    assert sum(r["households"] for r in rows) == 9
    assert sum(r["reviewed"] for r in rows) == 9 and sum(r["remaining"] for r in rows) == 0


def test_the_start_of_the_year_is_the_finalised_review_over_its_own_registry(year_data):
    commune = year_data["commune"]
    start = by_key(baseline(commune, 2023).table("summary"))
    assert (start["poor"]["households"], start["all"]["households"]) == (5, 10)
    total = by_key(progress(commune, 2024).table("appendix"))["total"]
    assert (total["poor_start"], total["near_start"], total["households_start"]) == (5, 2, 10)
    assert total["rate_start"] == Decimal("70.00")  # 7 of the 10 households of 2023
    assert total["rate_now"] == Decimal("66.67")  # 6 of the 9 of 2024
    moved = by_key(movement(commune, 2024).tables[0])["total"]
    assert moved["start_poor"] == 5 and moved["escaped_poverty"] == 1
    assert moved["poor_left"] == 2 and moved["newly_poor"] == 2  # a3, a4 left; b0 and new


def test_a_review_still_in_progress_is_not_the_start_of_the_next_year(village_a):
    commune = village_a.parent
    homes = households(village_a, 4)
    record(cycle_of(commune, 2023), {homes[0]: "poor"})  # draft: not decided
    record(cycle_of(commune, 2024), {homes[0]: "poor", homes[1]: "poor"})
    total = by_key(progress(commune, 2024).table("appendix"))["total"]
    assert total["poor_start"] == 0 and total["poor_now"] == 2


# --- each rule ------------------------------------------------------------------------------


def test_a_household_that_left_is_in_no_count_nor_the_denominator(year_data):
    a = year_data["a"]
    counted = set(standing.year_results(2024).values_list("household_id", flat=True))
    assert a[3].pk not in counted and a[4].pk not in counted  # a4 has a 2024 result
    registry = set(
        standing.registry_of_year(year_data["commune"], 2024).values_list("pk", flat=True)
    )
    assert a[3].pk not in registry and a[4].pk not in registry
    # Both are in 2023's figures: they left in 2024.
    in_2023 = set(standing.year_results(2023).values_list("household_id", flat=True))
    assert {a[3].pk, a[4].pk} <= in_2023


def test_a_household_leaving_after_the_reference_date_still_counts_that_year(village_a):
    commune = village_a.parent
    home = households(village_a, 1)[0]
    record(cycle_of(commune, 2024), {home: "poor"})
    set_dates(home, left=datetime.date(2024, 12, 20))  # after the reference date 14/12
    summary = by_key(baseline(commune, 2024).table("summary"))
    assert (summary["poor"]["households"], summary["all"]["households"]) == (1, 1)


def test_a_household_that_joined_later_is_not_in_that_dates_denominator(year_data):
    registry = standing.registry_of_year(year_data["commune"], 2024)
    assert year_data["new"] in registry and year_data["late"] not in registry
    assert year_data["new"] not in standing.registry_of_year(year_data["commune"], 2023)


def test_only_the_kept_previous_reason_carries_last_years_result(village_a):
    commune = village_a.parent
    kept, moved, silent = households(village_a, 3)
    c23, c24 = cycle_of(commune, 2023), cycle_of(commune, 2024)
    record(c23, {kept: "poor", moved: "poor", silent: "poor"})
    finalise(c23)
    keep(c24, kept)
    keep(c24, moved, reason=ReviewExemption.Reason.SPLIT)
    record(c24, {households(village_a, 1)[0]: "out"})
    poor = standing.year_results(2024).filter(household_class="poor")
    assert list(poor.values_list("household_id", flat=True)) == [kept.pk]
    carried = poor.get()
    assert carried.cycle == c23  # the previous finalised review's result, not a copy


def test_a_kept_result_comes_only_from_a_finalised_review(village_a):
    commune = village_a.parent
    home = households(village_a, 1)[0]
    record(cycle_of(commune, 2023), {home: "poor"})  # not decided
    keep(cycle_of(commune, 2024), home)
    assert not standing.year_results(2024).exists()


def test_a_kept_result_is_carried_through_several_years(village_a):
    commune = village_a.parent
    home = households(village_a, 1)[0]
    record(cycle_of(commune, 2022), {home: "near"})
    finalise(cycle_of(commune, 2022))
    keep(finalise(cycle_of(commune, 2023)), home)
    keep(cycle_of(commune, 2024), home)
    assert standing.year_results(2024).get().household_class == "near_poor"
    assert standing.year_results(2023).get().household_class == "near_poor"


# --- as of a date ---------------------------------------------------------------------------


def test_figures_as_of_a_date_take_the_latest_decided_result(year_data):
    commune, b = year_data["commune"], year_data["b"]
    adhoc = cycle_of(commune, 2024, kind="ad_hoc", day=datetime.date(2024, 6, 14))
    record(adhoc, {b[1]: "poor"})
    ReviewRequest.objects.create(
        household=b[1],
        kind=ReviewRequest.Kind.REVIEW,
        received_on=datetime.date(2024, 6, 1),
        status=ReviewRequest.Status.DECIDED,
        assessment=Assessment.objects.get(cycle=adhoc),
        decision_date=datetime.date(2024, 6, 30),
    )
    # The year's periodic review comes after the ad-hoc one: progress ends where baseline does.
    assert by_key(progress(commune, 2024).table("appendix"))["total"]["poor_now"] == 4
    # Before the ad-hoc decision: the 2023 decision only (a3, a4 still on the registry).
    mid_june = by_key(baseline(commune, 2024, on="2024-06-20").table("summary"))
    assert mid_june["poor"]["households"] == 5 and mid_june["all"]["households"] == 11
    july = by_key(baseline(commune, 2024, on="2024-07-01").table("summary"))
    assert july["poor"]["households"] == 6  # b1, decided poor on 30/06
    # The 2024 review is not decided yet: nothing of it counts.
    assert (
        by_key(baseline(commune, 2024, on="2024-12-31").table("summary"))["poor"]["households"] == 4
    )  # a0, a1, a2 and b1; a3 and a4 have left
    finalise(year_data["c24"], datetime.date(2024, 12, 20))
    after = by_key(baseline(commune, 2024, on="2024-12-31").table("summary"))
    assert after["poor"]["households"] == 4 and after["all"]["households"] == 9
    assert after["near_poor"]["households"] == 2 and after["average"]["households"] == 1
    # the kept households keep their 2023 decision; b1's later periodic result wins
    listed = lists(commune, 2024, on="2024-12-31")
    codes = {r["code"] for r in listed.table("poor").rows}
    assert codes == {h.code for h in (year_data["a"][0], year_data["a"][2], b[0], year_data["new"])}
    assert "tại ngày 31/12/2024" in listed.title


def test_figures_as_of_a_date_before_any_decision_say_so(year_data):
    with pytest.raises(ReportError, match="được quyết định đến ngày 01/01/2023"):
        baseline(year_data["commune"], 2023, on="2023-01-01")
    with pytest.raises(ReportError, match="không hợp lệ"):
        lists(year_data["commune"], 2023, on="31-31-2023")


def test_the_as_of_option_reaches_the_report_page(client, officer, year_data):
    client.force_login(officer)
    url = reverse("report", args=["baseline"])
    response = client.get(url, {"area": year_data["commune"].pk, "year": 2024, "on": "2024-07-01"})
    assert response.status_code == 200
    assert "tại ngày 01/07/2024" in response.content.decode()


def test_the_baseline_report_with_its_charts_builds_as_of_a_date(year_data):
    report = baseline_report(year_data["commune"], 2024, on="2024-01-15")
    assert by_key(report.table("summary"))["poor"]["households"] == 5


# --- refusing a result off the registry -----------------------------------------------------


def test_the_service_refuses_a_result_for_a_household_off_the_cycles_registry(year_data):
    c24 = year_data["c24"]
    with pytest.raises(ValidationError, match="đã ra khỏi danh sách ngày 01/11/2024"):
        services.assessment_record(
            cycle=c24, household=year_data["a"][3], income_per_capita=1_000_000
        )
    with pytest.raises(ValidationError, match="vào danh sách ngày 10/01/2025, sau ngày chốt"):
        services.assessment_record(
            cycle=c24, household=year_data["late"], income_per_capita=1_000_000
        )


def test_the_review_form_says_why_and_saves_nothing(client, officer, year_data):
    home, cycle = year_data["a"][3], year_data["c24"]
    client.force_login(officer)
    url = reverse("review_entry", args=[home.pk, cycle.pk])
    assert "đã ra khỏi danh sách ngày 01/11/2024" in client.get(url).content.decode()
    before = Assessment.objects.count()
    # a reason for every indicator: the answers may differ from what the member data says
    reasons = {f"reason_{i.code.replace('.', '_')}": "x" for i in Indicator.objects.all()}
    data = {"income_per_capita": "1000000", "version": 0, **reasons}
    html = client.post(url, data).content.decode()
    assert "đã ra khỏi danh sách ngày 01/11/2024" in html
    assert Assessment.objects.count() == before


# --- the household form: when and how a household joined ------------------------------------


def test_the_household_form_records_when_and_how_a_household_joined(client, officer, village_a):
    client.force_login(officer)
    data = {
        **household_form_data(village_a, code="N-9"),
        "joined_registry_on": "2024-03-01",
        "joined_how": "split",
    }
    response = client.post(reverse("household_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    home = Household.objects.get(code="N-9")
    assert (home.joined_registry_on, home.joined_how) == (datetime.date(2024, 3, 1), "split")
    page = client.get(reverse("household_detail", args=[home.pk])).content.decode()
    assert "01/03/2024 · Tách từ hộ khác" in page


def test_the_household_form_checks_the_entry_date(client, officer, village_a):
    client.force_login(officer)
    url = reverse("household_create")
    no_reason = {**household_form_data(village_a, code="N-8"), "joined_registry_on": "2024-03-01"}
    assert "hãy chọn lý do" in client.post(url, no_reason).content.decode()
    no_date = {**household_form_data(village_a, code="N-8"), "joined_how": "moved_in"}
    assert "Hãy nhập ngày hộ vào danh sách" in client.post(url, no_date).content.decode()
    home = households(village_a, 1)[0]
    set_dates(home, left=datetime.date(2024, 1, 1))
    data = {
        **household_form_data(village_a, code=home.code, version=home.version),
        "joined_registry_on": "2024-05-01",
        "joined_how": "moved_in",
    }
    html = client.post(reverse("household_edit", args=[home.pk]), data).content.decode()
    assert "phải trước hoặc bằng ngày ra khỏi danh sách (01/01/2024)" in html
    assert not Household.objects.filter(joined_registry_on__isnull=False).exists()


def test_the_model_refuses_an_entry_after_the_leaving_date(village_a):
    home = households(village_a, 1)[0]
    home.joined_registry_on = datetime.date(2024, 5, 1)
    home.left_registry_on = datetime.date(2024, 1, 1)
    with pytest.raises(ValidationError, match="phải trước hoặc bằng"):
        home.full_clean()


# --- query counts ---------------------------------------------------------------------------


def test_the_standing_reads_do_not_grow_with_households(
    year_data, village_a, village_b, django_assert_max_num_queries
):
    commune, c24 = year_data["commune"], year_data["c24"]

    def read_all():
        baseline(commune, 2024, on="2024-12-31")
        lists(commune, 2024, on="2024-12-31")
        village_progress(commune, Q(cycle=c24), day=REF_2024)

    finalise(c24, datetime.date(2024, 12, 20))
    with django_assert_max_num_queries(20) as small:
        read_all()
    with django_assert_max_num_queries(4):
        village_progress(commune, Q(cycle=c24), day=REF_2024)
    ReviewCycle.objects.filter(pk=c24.pk).update(status=ReviewCycle.Status.DRAFT)
    more = households(village_a, 10) + households(village_b, 10)
    classes = ("poor", "near", AVERAGE)
    record(c24, {h: classes[i % 3] for i, h in enumerate(more)})
    finalise(c24, datetime.date(2024, 12, 20))
    with django_assert_max_num_queries(len(small.captured_queries)):
        read_all()


def test_the_trend_chart_counts_every_year_by_the_standing_in_four_queries(
    year_data, django_assert_num_queries
):
    """The rate of each year is that year's own figures (kept results carried, households off
    the registry left out), and a third year costs no query more."""
    from households.reports.baseline import rate_trend_chart

    commune = year_data["commune"]
    with django_assert_num_queries(4):
        two = rate_trend_chart(commune, 2024)
    assert two.categories == ["2023", "2024"]
    label, rates = two.series[1]
    assert (str(label), rates) == ("Hộ nghèo", [Decimal("50.00"), Decimal("44.44")])  # 5/10, 4/9
    c25 = cycle_of(commune, 2025)
    record(c25, {year_data["a"][0]: "poor"})
    with django_assert_num_queries(4):
        three = rate_trend_chart(commune, 2025)
    assert three.categories == ["2023", "2024", "2025"]
