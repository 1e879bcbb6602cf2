"""The Vĩnh Hảo demo reproduces section I of plan 193/KH-UBND (end-2023) exactly."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min
from django.utils import timezone

from demo.commune import load_spec, plan_demo
from households.models import Assessment, Household, Member, ReviewCycle, ReviewRequest
from households.reports.baseline import baseline
from review.models import Complaint, CycleEvent, MeetingResult, VillageMeeting

SEED_POOR = {
    "1.1": 37,
    "1.2": 33,
    "2.1": 10,
    "2.2": 98,
    "3.1": 22,
    "3.2": 2,
    "4.1": 53,
    "4.2": 23,
    "5.1": 19,
    "5.2": 26,
    "6.1": 36,
    "6.2": 8,
}
SEED_NEAR = {
    "1.1": 1,
    "1.2": 7,
    "2.1": 1,
    "2.2": 36,
    "3.1": 1,
    "3.2": 1,
    "4.1": 9,
    "4.2": 1,
    "5.1": 4,
    "5.2": 2,
    "6.1": 2,
    "6.2": 0,
}
# The percentages recomputed from the counts, two decimals, half-up (not the seed's typed ones).
EXPECTED_POOR_RATES = {
    "1.1": "37.76",
    "1.2": "33.67",
    "2.1": "10.20",
    "2.2": "100.00",
    "3.1": "22.45",
    "3.2": "2.04",
    "4.1": "54.08",
    "4.2": "23.47",
    "5.1": "19.39",
    "5.2": "26.53",
    "6.1": "36.73",
    "6.2": "8.16",
}
EXPECTED_NEAR_RATES = {
    "1.1": "2.78",
    "1.2": "19.44",
    "2.1": "2.78",
    "2.2": "100.00",
    "3.1": "2.78",
    "3.2": "2.78",
    "4.1": "25.00",
    "4.2": "2.78",
    "5.1": "11.11",
    "5.2": "5.56",
    "6.1": "5.56",
    "6.2": "0.00",
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())
        yield Household.objects.get(code="VH01-0001").commune
        call_command("flush", interactive=False, verbosity=0)
        # flush empties the standards too; put them back for the tests that follow
        from django.apps import apps as global_apps

        from indicators import standards_data

        standards_data.load(global_apps)
        from importlib import import_module

        import_module("budget.migrations.0003_funding_sources").load(global_apps, None)


@pytest.mark.django_db
def test_the_demo_section_one_equals_the_seed(demo):
    report = baseline(demo, 2023)
    summary = {row["key"]: row for row in report.tables[0].rows}
    assert summary["all"]["households"] == 1295
    assert (summary["poor"]["households"], summary["poor"]["members"]) == (98, 400)
    assert (summary["near_poor"]["households"], summary["near_poor"]["members"]) == (36, 150)
    assert (
        summary["poor_and_near_poor"]["households"],
        summary["poor_and_near_poor"]["members"],
    ) == (134, 550)
    assert str(summary["poor"]["rate"]) == "7.57"
    assert str(summary["near_poor"]["rate"]) == "2.78"
    assert str(summary["poor_and_near_poor"]["rate"]) == "10.35"

    rows = {row["code"]: row for row in report.tables[1].rows}
    assert {c: r["poor"] for c, r in rows.items()} == SEED_POOR
    assert {c: r["near_poor"] for c, r in rows.items()} == SEED_NEAR
    assert {c: str(r["poor_rate"]) for c, r in rows.items()} == EXPECTED_POOR_RATES
    assert {c: str(r["near_poor_rate"]) for c, r in rows.items()} == EXPECTED_NEAR_RATES


@pytest.mark.django_db
def test_every_demo_class_is_consistent_with_its_deprivations_and_income(demo):
    by_class = {
        row["household_class"]: row
        for row in Assessment.objects.values("household_class").annotate(
            lo=Min("deprivation_count"),
            hi=Max("deprivation_count"),
            inc_lo=Min("income_per_capita"),
            inc_hi=Max("income_per_capita"),
            n=Count("id"),
        )
    }
    assert by_class["poor"]["lo"] >= 3
    assert by_class["near_poor"]["hi"] <= 2
    assert by_class["poor"]["inc_hi"] <= 1_500_000 and by_class["near_poor"]["inc_hi"] <= 1_500_000
    assert by_class["average"]["inc_lo"] > 1_500_000 and by_class["average"]["inc_hi"] <= 2_250_000
    assert by_class["not_poor"]["inc_lo"] > 2_250_000
    # each periodic review covers every household once (2023, and the 2024 of demo_followup)
    for year in (2023, 2024):
        periodic = Assessment.objects.filter(cycle__year=year, cycle__kind="periodic")
        assert periodic.count() == 1295
        # member counts in the snapshot agree with the registry
        assert sum(a.member_count for a in periodic) == Member.objects.count()


@pytest.mark.django_db
def test_dwelling_and_members_agree_with_the_deprivations(demo):
    poor = Assessment.objects.filter(household_class="poor").select_related("household")
    for a in poor.prefetch_related("deprivations__indicator", "household__members"):
        codes = {d.indicator.code for d in a.deprivations.all()}
        h = a.household
        assert ("4.1" in codes) == (h.house_material == "non_durable")
        assert ("5.1" in codes) == (h.water_source == "unsafe")
        assert ("4.2" in codes) == (h.floor_area_m2 / a.member_count < 8)
        assert ("2.2" in codes) == any(not m.has_health_insurance for m in h.members.all())


@pytest.mark.django_db
def test_loading_the_demo_twice_changes_nothing(demo):
    from exits.models import FollowUpVisit, Pathway

    def counts():
        return [
            m.objects.count()
            for m in (
                Household,
                Member,
                Assessment,
                VillageMeeting,
                Complaint,
                CycleEvent,
                ReviewRequest,
                Pathway,
                FollowUpVisit,
            )
        ]

    before = counts()
    call_command("load_demo", stdout=io.StringIO())
    assert counts() == before


@pytest.mark.django_db
def test_the_2024_exit_plan_meets_each_village_target_and_has_an_outcome(demo):
    from exits.models import FollowUpVisit, Pathway, SupportNorm
    from exits.reports import exits_outcome
    from plan.document import plan_report

    planned = Pathway.objects.filter(household__commune=demo, year=2024, planned=True)
    assert planned.count() == 35 and not planned.filter(helper="").exists()
    assert FollowUpVisit.objects.filter(pathway__in=planned).count() == 70
    assert not SupportNorm.objects.filter(area=demo).exclude(is_sample=True).exists()
    appendix = plan_report(demo, 2024).table("appendix01").rows
    for row in appendix:
        assert row["poor_planned"] == row["poor_reduction"], row["village"]
        assert row["near_planned"] == row["near_poor_reduction"], row["village"]
    assert (appendix[-1]["poor_planned"], appendix[-1]["near_planned"]) == (30, 5)
    total = exits_outcome(demo, 2024).table("villages").rows[-1]
    assert total["planned"] == 35
    assert total["planned_escaped"] + total["not_escaped"] == 35


@pytest.mark.django_db
def test_the_2024_review_was_decided_through_its_stages_with_its_records(demo):
    cycle = ReviewCycle.objects.get(commune=demo, year=2024, kind="periodic")
    assert (cycle.status, cycle.stage) == ("finalised", "decided")
    assert cycle.decision_number == "245/QĐ-UBND" and cycle.decision_signer == "Lê Thị Ngọc"
    assert cycle.decision_date == datetime.date(2024, 12, 13)
    assert list(cycle.events.values_list("to_stage", flat=True)) == [
        "survey",
        "meetings",
        "posting",
        "decided",
    ]
    assert all(e.at.year == 2024 for e in cycle.events.all())  # dated as the review went
    meetings = list(cycle.village_meetings.all())
    assert len(meetings) == 10 and all(m.agreed for m in meetings)
    assert all(m.held_on.year == 2024 and m.held_on.month == 12 for m in meetings)
    assert sum(m.representatives_total for m in meetings) == 1295
    assert MeetingResult.objects.filter(meeting__cycle=cycle, agreed=True).count() == 1295
    posting = cycle.posting
    assert (posting.starts_on, posting.ends_on) == (
        datetime.date(2024, 12, 9),
        datetime.date(2024, 12, 11),
    )
    assert max(m.held_on for m in meetings) <= posting.starts_on < cycle.decision_date
    (complaint,) = cycle.complaints.all()
    assert posting.is_open_on(complaint.received_on) and not complaint.is_open
    assert complaint.resolved_on < cycle.decision_date
    # the June escapes applied (Mẫu 04) and were decided in the ad-hoc cycle of June
    requests = ReviewRequest.objects.filter(household__commune=demo)
    assert requests.count() == 5
    assert set(requests.values_list("kind", "status", "decision_number")) == {
        ("exit", "decided", "118/QĐ-UBND")
    }
    assert {r.assessment.cycle.reference_date for r in requests} == {datetime.date(2024, 6, 30)}
    # the end-2023 review was loaded whole and decided directly: no stage records
    y2023 = ReviewCycle.objects.get(commune=demo, year=2023, kind="periodic")
    assert (y2023.status, y2023.stage) == ("finalised", "decided")
    assert not y2023.village_meetings.exists() and not y2023.events.exists()


@pytest.mark.django_db
def test_the_current_review_is_open_with_a_third_of_two_villages_surveyed(demo):
    cycle = ReviewCycle.objects.get(commune=demo, year=timezone.localdate().year, kind="periodic")
    assert (cycle.status, cycle.stage) == ("draft", "survey")
    per_village = dict(
        cycle.assessments.values_list("village__name").annotate(n=Count("pk")).order_by()
    )
    assert sorted(per_village) == ["Thôn Mẫu 01 (dữ liệu mẫu)", "Thôn Mẫu 02 (dữ liệu mẫu)"]
    for name, n in per_village.items():
        households = Household.objects.filter(village__name=name).count()
        assert households / 3 - 2 <= n <= households / 3 + 2


def test_the_demo_plan_is_the_same_on_every_run():
    first, second = plan_demo(load_spec()), plan_demo(load_spec())
    assert [(p.code, p.income, p.deprived, [m.full_name for m in p.members]) for p in first] == [
        (p.code, p.income, p.deprived, [m.full_name for m in p.members]) for p in second
    ]


@pytest.mark.django_db
def test_the_demo_logins_see_the_decided_and_the_open_review(demo, client):
    from accounts.models import User

    decided = ReviewCycle.objects.get(commune=demo, year=2024, kind="periodic")
    current = ReviewCycle.objects.get(commune=demo, year=timezone.localdate().year, kind="periodic")
    client.force_login(User.objects.get(username="canbo.vinhhao"))
    html = client.get(f"/cycles/{decided.pk}/").content.decode()
    assert "Quyết định công nhận số 245/QĐ-UBND ngày 13/12/2024" in html
    assert "Số liệu chính thức" in html and "Biên bản họp thôn" in html
    html = client.get(f"/cycles/{current.pk}/").content.decode()
    assert "Số liệu tạm thời" in html and 'aria-current="step">Điều tra, rà soát<' in html
    assert f"Đã có kết quả: {current.assessments.count()}/1.295 hộ" in html
    assert client.get("/").context["year"] == 2024  # the official figures first
    requests = client.get("/review/requests/?status=decided")
    assert requests.status_code == 200
    assert requests.content.decode().count("Đề nghị công nhận thoát nghèo") >= 5
    # the board of village 01 sees its own village's progress in the open review
    client.force_login(User.objects.get(username="bqt.thon01"))
    rows = client.get(f"/cycles/{current.pk}/").context["rows"]
    assert [(r.village.name, r.reviewed > 0) for r in rows] == [("Thôn Mẫu 01 (dữ liệu mẫu)", True)]
