"""The plan as a document ready to sign (issue 14, item 1): Decree 30 dates, the signature as
lines, Appendix 01 after the signature, checks kept out of the text with a "DỰ THẢO" mark until
confirmed, II.2.2 per dimension, symbols kept on one line, the XLSX's section II order."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from indicators.models import Target
from plan import services
from plan.checks import digest
from plan.document import plan_report
from plan.typeset import typeset
from projects.models import Plan
from reports.documents import date_line, date_text, report_document_blocks
from reports.models import DocumentSettings
from reports.pdf import report_body
from reports.render import render

pytestmark = pytest.mark.django_db


def plan_url(commune, year=2024):
    return f"{reverse('plan_document')}?commune={commune.pk}&year={year}"


def confirm_url(commune, year=2024):
    return f"{reverse('plan_confirm')}?commune={commune.pk}&year={year}"


def pdf_text(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def body_html(report) -> str:
    """The HTML the PDF's body is laid out from."""
    return report_body(report, report_document_blocks(report))


@pytest.mark.parametrize(
    "day, text",
    [
        (datetime.date(2024, 4, 16), "ngày 16 tháng 4 năm 2024"),
        (datetime.date(2024, 2, 5), "ngày 05 tháng 02 năm 2024"),
        (datetime.date(2025, 1, 9), "ngày 09 tháng 01 năm 2025"),
        (datetime.date(2024, 12, 1), "ngày 01 tháng 12 năm 2024"),
        (datetime.date(2024, 3, 10), "ngày 10 tháng 3 năm 2024"),
        (datetime.date(2024, 10, 31), "ngày 31 tháng 10 năm 2024"),
    ],
)
def test_dates_have_a_leading_zero_only_for_days_1_to_9_and_months_1_and_2(day, text):
    assert date_text(day) == text
    assert date_line("Vĩnh Hảo", day, day.year) == f"Vĩnh Hảo, {text}"


def test_a_date_not_given_is_left_blank_with_its_year():
    assert date_text(None, 2024).startswith("ngày \u00a0") and date_text(None, 2024).endswith(
        "năm 2024"
    )


def test_the_signature_is_typed_and_printed_as_lines(commune):
    DocumentSettings.objects.create(
        area=commune,
        signing_authority="TM. ỦY BAN NHÂN DÂN\r\nKT. CHỦ TỊCH\n",
        signer_position="PHÓ CHỦ TỊCH",
        signer_name="Lê Thị Ngọc",
    )
    report = plan_report(commune, 2024)
    blocks = report_document_blocks(report)
    assert blocks.signature_lines == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    html = body_html(report)
    assert (
        '<div class="authority">TM. ỦY BAN NHÂN DÂN</div>'
        '<div class="authority">KT. CHỦ TỊCH</div>'
        '<div class="authority">PHÓ CHỦ TỊCH</div>'
    ) in html
    text = pdf_text(render(report, "pdf"))
    signed = next(page for page in text if "Nơi nhận" in page)
    assert "TM. ỦY BAN NHÂN DÂN" in signed and "KT. CHỦ TỊCH" in signed
    # the XLSX writes one row per line, in the same order
    from openpyxl import load_workbook

    from reports.xlsx import to_xlsx

    report.word_like = True  # a document whose sheet carries its heading and signature
    sheet = load_workbook(io.BytesIO(to_xlsx(report))).worksheets[0]
    values = [c.value for row in sheet.iter_rows() for c in row if c.value]
    lines = ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert [v for v in values if v in lines] == lines  # row after row, beside the recipients


def test_appendix_01_comes_after_the_signature_on_its_own_page_with_its_kem_theo_line(
    commune, officer, village_a
):
    Target.objects.create(area=village_a, year=2024, metric=Target.Metric.POOR_REDUCTION, value=3)
    services.plan_details_set(
        commune=commune, year=2024, number="12", issued_on=datetime.date(2024, 2, 5), user=officer
    )
    report = plan_report(commune, 2024)
    html = body_html(report)
    kem_theo = "(Kèm theo Kế hoạch số 12/KH-UBND ngày 05 tháng 02 năm 2024 của UBND xã Vĩnh Hảo)"
    assert html.index("Nơi nhận:") < html.index("Phụ lục 01") < html.index('class="appendix-of"')
    assert html.index("Nơi nhận:") < html.index('class="appendix"') < html.index("Thôn A")
    pages = pdf_text(render(report, "pdf"))
    last = pages[-1]
    assert "Phụ lục 01" in last and "Nơi nhận" not in last  # a page of its own
    assert " ".join(kem_theo.split()) in last.replace("\u00a0", " ")
    assert "Nơi nhận" in pages[-2]
    # nothing of the appendix before the signature
    assert not any("Phụ lục 01" in page for page in pages[:-1])


def test_checks_are_not_printed_and_the_pdf_is_a_draft_until_confirmed(client, officer, commune):
    report = plan_report(commune, 2024)
    assert report.checks and report.draft
    pdf = " ".join(pdf_text(render(report, "pdf")))
    assert "DỰ THẢO" in body_html(report)
    for check in report.checks:
        assert check.message not in pdf
    client.force_login(officer)
    page = client.get(plan_url(commune)).content.decode()
    assert 'data-testid="plan_checks"' in page and report.checks[0].message in page
    response = client.post(confirm_url(commune), {"seen": digest(report.checks)})
    assert response.status_code == 302
    plan = Plan.objects.get(commune=commune, year=2024)
    assert plan.confirmed_by == officer and plan.confirmed_warnings == digest(report.checks)
    confirmed = plan_report(commune, 2024)
    assert confirmed.confirmed and not confirmed.draft
    assert "DỰ THẢO" not in body_html(confirmed)
    assert "DỰ THẢO" not in " ".join(pdf_text(render(confirmed, "pdf")))
    assert 'data-testid="plan-confirmed"' in client.get(plan_url(commune)).content.decode()
    # a change in the checks (here: the targets now entered) lapses the confirmation
    Target.objects.create(area=commune, year=2024, metric=Target.Metric.POOR_REDUCTION, value=3)
    assert plan_report(commune, 2024).draft


def test_a_confirmation_of_checks_that_changed_meanwhile_is_refused(client, officer, commune):
    client.force_login(officer)
    stale = digest(plan_report(commune, 2024).checks)
    Target.objects.create(area=commune, year=2024, metric=Target.Metric.POOR_REDUCTION, value=3)
    response = client.post(confirm_url(commune), {"seen": stale}, follow=True)
    assert "đã thay đổi" in response.content.decode()
    assert not Plan.objects.filter(confirmed_at__isnull=False).exists()


def test_only_a_planner_confirms(client, viewer, commune):
    client.force_login(viewer)
    seen = digest(plan_report(commune, 2024).checks)
    assert client.post(confirm_url(commune), {"seen": seen}).status_code == 403
    assert not Plan.objects.filter(confirmed_at__isnull=False).exists()
    assert client.get(confirm_url(commune)).status_code in (403, 405)


def test_the_checks_report_lists_them_in_every_format(commune):
    from reports import registry

    report = registry.build(registry.spec("plan_checks"), commune, 2024)
    messages = [row["message"] for row in report.table("checks").rows]
    assert messages == [c.message for c in plan_report(commune, 2024).checks]
    for fmt in ("html", "pdf", "xlsx"):
        assert render(report, fmt)


def _targets(area, **values):
    for metric, value in values.items():
        Target.objects.create(area=area, year=2024, metric=metric, value=Decimal(value))


def test_each_sub_target_stands_under_its_own_dimension(commune, officer):
    _targets(
        commune,
        jobs=130,
        jobs_other_provinces=100,
        jobs_local=30,
        health_insurance=100,
        schooling=100,
        telecom=50,
    )
    services.plan_text_set(
        commune=commune,
        year=2024,
        key="targets_jobs",
        text="+ 100% người lao động có nhu cầu được hỗ trợ kết nối việc làm ổn định;",
        user=officer,
    )
    services.plan_text_set(
        commune=commune,
        year=2024,
        key="targets_health",
        text="Tỷ lệ bao phủ BHYT đạt 100 %.",
        user=officer,
    )
    services.plan_text_set(
        commune=commune,
        year=2024,
        key="targets_education",
        text="+ Tập trung đào tạo nghề cho người lao động.",
        user=officer,
    )
    texts = [b.text for b in plan_report(commune, 2024).blocks]
    start = texts.index("2.2. Các chỉ tiêu giải quyết mức độ thiếu hụt các dịch vụ xã hội cơ bản")
    assert texts[start + 1 : start + 9] == [
        "- Chiều thiếu hụt về việc làm:",
        "+ Giải quyết việc làm cho 130 lao động, trong đó đi làm việc ở các tỉnh trong nước là "
        "100 lao động và lao động tại địa phương là 30 lao động;",
        "+ 100% người lao động có nhu cầu được hỗ trợ kết nối việc làm ổn định;",
        "- Chiều thiếu hụt về y tế: 100% người thuộc hộ nghèo, hộ cận nghèo được hỗ trợ bảo hiểm "
        "y tế; Tỷ lệ bao phủ BHYT đạt 100%.",
        "- Chiều thiếu hụt về giáo dục, đào tạo:",
        "+ Tỷ lệ trẻ em thuộc hộ nghèo, hộ cận nghèo đi học đúng độ tuổi đạt 100%;",
        "+ Tập trung đào tạo nghề cho người lao động.",
        "- Chiều thiếu hụt về thông tin: 50% hộ nghèo, hộ cận nghèo có nhu cầu được tiếp cận sử "
        "dụng các dịch vụ viễn thông, internet.",
    ]
    assert texts[start + 9] == "III. Nhiệm vụ và giải pháp"


def test_the_xlsx_lists_section_two_targets_in_the_plans_order(commune):
    _targets(commune, telecom=50, jobs=130, poverty_rate="7.64", poor_reduction=30)
    table = plan_report(commune, 2024).table("section2_targets")
    assert [r["key"] for r in table.rows] == ["poor_reduction", "poverty_rate", "jobs", "telecom"]


def test_document_symbols_and_dates_never_break():
    html = typeset("theo Nghị quyết số 28/NQ-HĐND, ngày 19/12/2023 giai đoạn 2021-2025 <b>")
    assert '<span class="nowrap">28/NQ-HĐND</span>,' in html
    assert '<span class="nowrap">19/12/2023</span>' in html
    assert '<span class="nowrap">2021-2025</span>' in html
    assert "&lt;b&gt;" in html


def test_paragraphs_are_at_least_six_points_apart(commune):
    from django.template.loader import get_template

    source = get_template("plan/documents/body.html").template.source
    assert "p.plan-p { text-align: justify; text-indent: 1cm; margin: 0 0 6pt 0; }" in source
    assert "p.plan-bullet { text-align: justify; text-indent: 1cm; margin: 0 0 6pt 0; }" in source


def test_section_titles_are_data_with_english_beside_them(commune):
    from django.utils import translation

    from plan.document import plan_report

    with translation.override("en"):
        english = [b.text for b in plan_report(commune, 2024).blocks if b.kind == "heading"]
    vietnamese = [b.text for b in plan_report(commune, 2024).blocks if b.kind == "heading"]
    assert "II. Targets for 2024" in english and "III. Tasks and solutions" in english
    assert "II. Mục tiêu năm 2024" in vietnamese and "II. Targets for 2024" not in vietnamese
