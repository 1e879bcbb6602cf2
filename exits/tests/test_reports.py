"""The three exit pathway reports on a small commune: their rows, the budget check, the official
list by village with helpers, planned against actual, every format, and their scope."""

import pytest

from budget.models import BudgetLine, FundingSource
from exits import services
from exits.models import SupportNorm
from households import services as household_services
from households.models import ReviewCycle
from households.tests.factories import HouseholdFactory, MemberFactory, ReviewCycleFactory
from indicators.models import Indicator
from projects.tests.factories import SubProjectFactory
from reports.errors import ReportError
from reports.registry import SPECS, build
from reports.render import render

pytestmark = pytest.mark.django_db
FINALISED = ReviewCycle.Status.FINALISED


def home(village, members=2):
    household = HouseholdFactory(village=village)
    MemberFactory.create_batch(members, household=household)
    return household


@pytest.fixture
def data(commune, village_a, village_b, officer):
    start = ReviewCycleFactory(commune=commune, year=2023)
    homes = [home(village_a, 3), home(village_a), home(village_b, 4)]
    for h in homes[:2]:
        household_services.assessment_record(
            cycle=start, household=h, income_per_capita=1_000_000, deprived=["2.2", "5.2", "6.1"]
        )
    household_services.assessment_record(
        cycle=start, household=homes[2], income_per_capita=1_300_000, deprived=["2.2"]
    )
    ReviewCycle.objects.filter(pk=start.pk).update(status=FINALISED)
    sub = SubProjectFactory(code="DA6-TDA1")
    internet = SupportNorm.objects.create(
        area=commune,
        year=2024,
        subproject=sub,
        indicator=Indicator.objects.filter(code="6.1").first(),
        item="Hỗ trợ internet",
        unit="household",
        amount=600_000,
        source="Giá trị mẫu",
    )
    BudgetLine.objects.create(
        commune=commune,
        year=2024,
        subproject=sub,
        source=FundingSource.objects.get_or_create(code="NSTW", defaults={"name": "NSTW"})[0],
        kind=BudgetLine.Kind.choices[0][0],
        allocated=1_000_000,
    )
    for h in homes[:2]:
        services.plan(
            household=h,
            year=2024,
            planned=True,
            helper="Hội Nông dân xã",
            norms=[internet],
            user=officer,
        )
    return homes


def test_the_pathway_list_and_its_budget_check(commune, data):
    report = build(SPECS["exits"], commune, 2024)
    rows = report.table("pathways").rows
    assert [r["code"] for r in rows][:1] == [data[2].code]  # near-poor: nothing to lift
    planned = [r for r in rows if r["planned"]]
    assert {r["code"] for r in planned} == {data[0].code, data[1].code}
    assert all(r["helper"] == "Hội Nông dân xã" and r["cost"] == 600_000 for r in planned)
    budget = {r["key"]: r for r in report.table("budget").rows}
    # two households × 600,000 against 1,000,000 allocated: 200,000 short, flagged
    assert budget["DA6-TDA1"]["planned"] == 1_200_000
    assert budget["DA6-TDA1"]["shortfall"] == 200_000 and budget["DA6-TDA1"]["flag"]
    assert budget["total"]["flag"]
    for fmt in ("html", "csv", "json", "xlsx", "pdf"):
        assert render(report, fmt)


def test_the_official_list_is_by_village_with_helpers(commune, village_a, data):
    report = build(SPECS["exits_planned"], commune, 2024)
    assert report.document_type and report.symbol == "DS"
    rows = report.table("planned").rows
    assert [(r["code"], r["helper"], r["amount"]) for r in rows] == [
        (h.code, "Hội Nông dân xã", 600_000) for h in sorted(data[:2], key=lambda h: h.code)
    ]
    pdf = render(report, "pdf")
    assert pdf.startswith(b"%PDF")
    # a board's village: only its households
    assert len(build(SPECS["exits_planned"], village_a, 2024).table("planned").rows) == 2


def test_planned_against_actual_needs_the_years_review(commune, data):
    with pytest.raises(ReportError):
        build(SPECS["exits_outcome"], commune, 2024)
    end = ReviewCycleFactory(commune=commune, year=2024)
    household_services.assessment_record(
        cycle=end, household=data[0], income_per_capita=1_000_000, deprived=["2.2", "5.2"]
    )
    household_services.assessment_record(
        cycle=end, household=data[1], income_per_capita=1_000_000, deprived=["2.2", "5.2", "6.1"]
    )
    report = build(SPECS["exits_outcome"], commune, 2024)
    total = report.table("villages").rows[-1]
    assert (total["planned"], total["planned_escaped"], total["not_escaped"]) == (2, 1, 1)
    assert report.status.provisional  # the 2024 review is still open
    for fmt in ("html", "xlsx", "pdf"):
        assert render(report, fmt)


def test_a_district_is_asked_to_choose_a_commune(district, data):
    with pytest.raises(ReportError, match="từng xã"):
        build(SPECS["exits"], district, 2024)


def test_the_plans_appendix_puts_the_planned_households_beside_the_targets(
    commune, village_a, village_b, data
):
    from indicators.models import Target
    from plan.document import plan_report

    for village, value in ((village_a, 2), (village_b, 1)):
        Target.objects.create(
            area=village, year=2024, metric=Target.Metric.POOR_REDUCTION, value=value, source="KH"
        )
    table = plan_report(commune, 2024).table("appendix01")
    rows = {r["key"]: r for r in table.rows}
    a, b = rows[f"village-{village_a.pk}"], rows[f"village-{village_b.pk}"]
    assert (a["poor_reduction"], a["poor_planned"], a["near_planned"]) == (2, 2, 0)
    assert (b["poor_reduction"], b["poor_planned"]) == (1, 0)
    assert rows["total"]["poor_planned"] == 2
    assert [c.group for c in table.columns][-2:] == ["Hộ dự kiến thoát nghèo"] * 2
