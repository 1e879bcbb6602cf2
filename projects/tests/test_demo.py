"""The programme side of the Vĩnh Hảo demo states what plan 193/KH-UBND states (sections III–V)."""

import io
from importlib import import_module

import pytest
from django.apps import apps as global_apps
from django.core.management import call_command

from budget.models import BudgetLine, Disbursement, StatedTotal
from budget.reports import budget_report
from households.models import Household
from projects.models import Activity, Assignment, Beneficiary, Responsibility, SubProject
from projects.reports import projects_report
from reports.render import render

SEED_SUBPROJECTS = {
    "DA2": (2, None),
    "DA3-TDA1": (3, 1),
    "DA3-TDA2": (3, 2),
    "DA4-TDA1": (4, 1),
    "DA4-TDA3": (4, 3),
    "DA6-TDA1": (6, 1),
    "DA6-TDA2": (6, 2),
    "DA7-TDA2": (7, 2),
}


def table(report, key):
    return next(t for t in report.tables if t.key == key)


def counts():
    return tuple(
        m.objects.count()
        for m in (
            SubProject,
            Assignment,
            Responsibility,
            Activity,
            Beneficiary,
            BudgetLine,
            StatedTotal,
            Disbursement,
        )
    )


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())
        call_command("load_demo_projects", stdout=io.StringIO())
        yield Household.objects.get(code="VH01-0001").commune
        call_command("flush", interactive=False, verbosity=0)
        # flush empties the data migrations' rows too; put them back for the tests that follow
        import_module("indicators.migrations.0002_load_standards").load(global_apps, None)
        import_module("budget.migrations.0003_funding_sources").load(global_apps, None)


@pytest.mark.django_db
def test_the_demo_has_the_seeds_projects_and_subprojects(demo):
    found = {
        sp.code: (sp.project.number, sp.number)
        for sp in SubProject.objects.select_related("project")
    }
    assert found == SEED_SUBPROJECTS
    assert set(
        Assignment.objects.filter(commune=demo, year=2024).values_list(
            "subproject__code", flat=True
        )
    ) == set(SEED_SUBPROJECTS)


@pytest.mark.django_db
def test_the_demo_has_the_seeds_legal_bases_and_units(demo):
    da2 = SubProject.objects.get(code="DA2")
    links = list(da2.basis_links.select_related("document"))
    assert [link.document.number for link in links] == [
        "27/2022/NĐ-CP",
        "09/2022/TT-BLĐTBXH",
        "15/2022/NQ-HĐND",
        "18/2022/QĐ-UBND",
    ]
    assert links[0].articles == "Điều 20, Điều 21, Điều 22 và Điều 23"
    nutrition = Assignment.objects.get(subproject__code="DA3-TDA2", commune=demo)
    assert nutrition.lead_unit.name == "Trạm Y tế xã"
    farming = Assignment.objects.get(subproject__code="DA3-TDA1", commune=demo)
    assert farming.lead_unit.name == "Công chức Địa chính - Nông nghiệp"
    livelihoods = Assignment.objects.get(subproject__code="DA2", commune=demo)
    assert livelihoods.officer_in_charge.name == "Công chức Văn hóa - Xã hội"
    duties = list(Responsibility.objects.filter(year=2024).order_by("order"))
    assert len(duties) == 8 and duties[1].title == "Tài chính kế toán ngân sách xã"
    assert duties[6].title.startswith("Đề nghị Ủy ban Mặt trận Tổ quốc")


@pytest.mark.django_db
def test_the_demo_budget_is_the_seeds_and_its_discrepancy_is_flagged(demo):
    lines = {
        line.source.code: line.allocated
        for line in BudgetLine.objects.filter(commune=demo, year=2024).select_related("source")
    }
    assert lines == {"NSTW": 2_975_000_000, "NSDP": 74_300_000}
    [check] = StatedTotal.objects.filter(commune=demo, year=2024).checked()
    assert check.stated.amount == 3_326_600_000 and check.difference == 277_300_000
    report = budget_report(demo, 2024)
    [row] = report.tables[-1].rows
    assert row["status"] == "KHÔNG KHỚP"
    assert any("3.326,6" in note and "277,3" in note for note in report.footnotes)
    html = render(report, "html")
    assert "3.326,6" in html and "3.049,3" in html and "2.975,0" in html and "74,3" in html


@pytest.mark.django_db
def test_the_demos_sample_rows_are_labelled(demo):
    assert Activity.objects.count() > 0 and Beneficiary.objects.count() > 0
    assert not Activity.objects.filter(is_sample=False).exists()
    assert not Beneficiary.objects.filter(is_sample=False).exists()
    assert not Disbursement.objects.filter(is_sample=False).exists()
    report = projects_report(demo, 2024)
    assert any("dữ liệu mẫu" in note for note in report.footnotes)


@pytest.mark.django_db
def test_the_projects_report_renders_in_every_format(demo):
    report = projects_report(demo, 2024)
    keys = [t.key for t in report.tables]
    assert keys == ["assignments", "activities", "beneficiaries", "coverage", "responsibilities"]
    coverage = {r["code"]: r for r in table(report, "coverage").rows}
    assert coverage["2.2"]["deprived"] == 134  # every poor and near-poor household (section I)
    assert coverage["4.1"]["deprived"] == 62 and coverage["4.1"]["subprojects"]
    for fmt in ("html", "csv", "json"):
        text = render(report, fmt)
        assert "Trạm Y tế xã" in text and "1768/QĐ-BYT" in text


@pytest.mark.django_db
def test_loading_the_projects_demo_twice_changes_nothing(demo):
    before = counts()
    call_command("load_demo_projects", stdout=io.StringIO())
    assert counts() == before
