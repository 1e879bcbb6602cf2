"""Funding sources and budget lines through the admin's import and export
(django-import-export)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from budget import services
from budget.models import BudgetLine, FundingSource
from budget.tests.factories import source
from core.tests.admin_import import confirm, export, sheet, upload
from projects.tests.factories import SubProjectFactory

HEAD = "commune,year,subproject,source,kind,allocated,document,note\n"


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def test_funding_sources_exported_and_imported_again_are_unchanged(admin_client):
    source()
    before = list(FundingSource.objects.order_by("pk").values())
    exported = export(admin_client, FundingSource, "xlsx")
    preview = upload(admin_client, FundingSource, SimpleUploadedFile("f.xlsx", exported.content))
    assert preview.context["result"].totals["skip"] == len(before) > 0
    confirm(admin_client, FundingSource, preview)
    assert list(FundingSource.objects.order_by("pk").values()) == before


def test_budget_lines_of_a_decision_are_imported_with_their_subproject_and_history(
    admin_client, administrator, commune
):
    source()
    sub = SubProjectFactory(code="DA3-TDA1")
    year = sub.programme.start_year
    rows = (
        HEAD
        + f"01090,{year},DA3-TDA1,NSTW,recurrent,150000000,QĐ 7489/QĐ-UBND,\n"
        + f"01090,{year},,NSDP,unsplit,74300000,QĐ 7489/QĐ-UBND,chung\n"
    )
    preview = upload(admin_client, BudgetLine, sheet("b.csv", rows.encode()))
    assert preview.context["result"].totals["new"] == 2
    confirm(admin_client, BudgetLine, preview)

    line = BudgetLine.objects.get(commune=commune, subproject=sub)
    assert (line.allocated, line.source.code, line.version) == (150_000_000, "NSTW", 1)
    assert BudgetLine.objects.get(commune=commune, subproject=None).note == "chung"
    assert line.history.get().history_user == administrator


def test_a_changed_allocation_raises_the_lines_version(admin_client, commune):
    line = services.budget_line_create(
        commune=commune, year=2024, source=source("NSTW"), kind="unsplit", allocated=1_000_000
    )
    rows = HEAD + "01090,2024,,NSTW,unsplit,2000000,,\n"
    confirm(
        admin_client, BudgetLine, upload(admin_client, BudgetLine, sheet("b.csv", rows.encode()))
    )
    line.refresh_from_db()
    assert (line.allocated, line.version) == (2_000_000, 2)
    assert BudgetLine.objects.count() == 1


def test_an_allocation_below_what_was_paid_or_an_unknown_source_is_refused(admin_client, commune):
    line = services.budget_line_create(
        commune=commune, year=2024, source=source("NSTW"), kind="unsplit", allocated=1_000_000
    )
    services.disbursement_record(
        line=line, paid_on=datetime.date(2024, 6, 1), amount=800_000, document="x"
    )
    rows = HEAD + "01090,2024,,NSTW,unsplit,500000,,\n01090,2024,,XYZ,unsplit,1,,\n"
    preview = upload(admin_client, BudgetLine, sheet("b.csv", rows.encode()))
    page = preview.content.decode()
    assert preview.context.get("confirm_form") is None
    assert "không thể nhỏ hơn số đã giải ngân" in page
    assert "Không có nguồn vốn mã XYZ." in page
    line.refresh_from_db()
    assert line.allocated == 1_000_000
