import datetime
import json

import pytest
from django.urls import reverse

from budget import services as budget_services
from budget.reports import budget_report
from budget.tests.factories import BudgetLineFactory, source
from households.tests.factories import HouseholdFactory
from projects import services
from projects.reports import projects_report
from projects.tests.factories import (
    ActivityFactory,
    AssignmentFactory,
    UnitFactory,
)
from reports.errors import ReportError
from reports.render import render

pytestmark = pytest.mark.django_db


def table(report, key):
    return next(t for t in report.tables if t.key == key)


def grow(commune, village, n):
    for _ in range(n):
        a = AssignmentFactory(commune=commune, lead_unit=UnitFactory(commune=commune))
        a.coordinating_units.add(UnitFactory(commune=commune))
        ActivityFactory(assignment=a)
        for _ in range(2):
            services.beneficiary_record(
                assignment=a,
                household=HouseholdFactory(village=village),
                support_kind="cash",
                description="Hỗ trợ",
                value=1_500_000,
            )
        line = BudgetLineFactory(commune=commune, subproject=a.subproject, allocated=10_000_000)
        budget_services.disbursement_record(
            line=line, paid_on=datetime.date(2024, 4, 1), amount=2_500_000, document="x"
        )


def test_the_projects_report_counts_beneficiaries_per_subproject(commune, village_a):
    grow(commune, village_a, 2)
    report = projects_report(commune, 2024)
    rows = table(report, "beneficiaries").rows
    assert [r["households"] for r in rows] == [2, 2, 4]
    assert str(rows[-1]["value"]) == "6"  # 4 × 1,5 triệu đồng
    assert len(table(report, "assignments").rows) == 2
    # no review at the end of 2023: the coverage table is replaced by a clear note
    assert any("2023" in note for note in report.footnotes)


def test_a_year_without_assignments_is_a_clear_error(commune):
    with pytest.raises(ReportError, match="2024"):
        projects_report(commune, 2024)
    with pytest.raises(ReportError, match="kinh phí"):
        budget_report(commune, 2024)


def test_the_budget_report_totals_and_rates(commune, village_a):
    grow(commune, village_a, 3)
    report = budget_report(commune, 2024)
    total = table(report, "lines").rows[-1]
    assert (str(total["allocated"]), str(total["disbursed"]), str(total["rate"])) == (
        "30",
        "7.5",
        "25.00",
    )
    html = render(report, "html")
    assert "30,0" in html and "7,5" in html and "25,00 %" in html
    data = json.loads(render(report, "json"))
    assert data["tables"][0]["rows"][-1]["allocated"] == "30"


def test_reports_run_a_bounded_number_of_queries(commune, village_a, django_assert_max_num_queries):
    grow(commune, village_a, 2)
    budget_services.stated_total_create(
        commune=commune, year=2024, label="Tổng", amount=1, sources=[source()]
    )
    measured = {}
    for build in (projects_report, budget_report):
        with django_assert_max_num_queries(30) as ctx:
            build(commune, 2024)
        measured[build] = len(ctx.captured_queries)
    grow(commune, village_a, 8)
    for build, n in measured.items():
        with django_assert_max_num_queries(n):
            build(commune, 2024)


def test_a_board_gets_its_communes_reports_but_not_another_communes(
    client, board_a, commune, village_a, other_commune
):
    grow(commune, village_a, 1)
    AssignmentFactory(commune=other_commune)
    client.force_login(board_a)
    for slug in ("projects", "budget"):
        ok = client.get(reverse("report", args=[slug]), {"area": commune.pk, "year": 2024})
        assert ok.status_code == 200, slug
        refused = client.get(
            reverse("report", args=[slug]), {"area": other_commune.pk, "year": 2024}
        )
        assert refused.status_code == 400
