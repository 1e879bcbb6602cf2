"""The one report view, the district view and the officer pages: scope, formats, bad input."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from areas.tests.factories import CommuneFactory
from households.tests.report_data import populate
from indicators.models import Target
from reports.models import DocumentSettings, StatedDocument
from reports.registry import REPORTS, SPECS

pytestmark = pytest.mark.django_db

REPORT = "report"


def url(slug, **params):
    from django.utils.http import urlencode

    return reverse(REPORT, args=[slug]) + "?" + urlencode(params)


@pytest.fixture
def data(village_a, village_b):
    populate(village_a, 10, poor=2, near=1, year=2023)
    populate(village_b, 5, poor=1, year=2023)
    return village_a.parent


def test_every_report_serves_every_format_to_its_officer(client, officer, data):
    client.force_login(officer)
    for slug in ("baseline", "lists", "mpi"):
        for fmt in ("html", "pdf", "xlsx", "csv", "json"):
            response = client.get(url(slug, area=data.pk, year=2023, format=fmt))
            assert response.status_code == 200, (slug, fmt, response.content[:300])
    pdf = client.get(url("baseline", area=data.pk, year=2023, format="pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert 'filename="baseline-01090-2023.pdf"' in pdf["Content-Disposition"]
    html = client.get(url("baseline", area=data.pk, year=2023)).content.decode()
    assert "<svg" in html and "20,00 %" in html


def test_the_xlsx_has_the_html_rows_with_numbers_as_numbers(client, officer, data):
    client.force_login(officer)
    response = client.get(url("baseline", area=data.pk, year=2023, format="xlsx"))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = values[3]
    assert header[:4] == ["Chỉ tiêu", "Số hộ", "Số khẩu", "Tỷ lệ trên tổng số hộ"]
    poor = next(row for row in values if row[0] == "Hộ nghèo")
    assert poor[1] == 3 and poor[2] == 6 and poor[3] == pytest.approx(0.2)
    poor_row = next(row for row in sheet.iter_rows() if row[0].value == "Hộ nghèo")
    # the Vietnamese locale in the format: "1.295" and "10,35%" whatever the spreadsheet's language
    assert poor_row[1].number_format == "[$-42A]#,##0"
    assert poor_row[3].number_format == "[$-42A]0.00%"
    assert int(sheet.page_setup.paperSize) == 9 and sheet.print_title_rows == "$4:$4"
    indicators = book.worksheets[1]
    assert len(indicators.merged_cells.ranges) >= 3  # grouped header: poor / near-poor


def test_a_viewer_of_another_district_gets_nothing(client, data):
    from accounts.tests.factories import UserFactory

    elsewhere = CommuneFactory().parent  # another district
    outsider = UserFactory(membership=(elsewhere, "viewer"))
    client.force_login(outsider)
    for slug in SPECS:  # every registered report, this app's and the others'
        for fmt in ("html", "pdf", "xlsx", "csv", "json"):
            response = client.get(url(slug, area=data.pk, year=2023, format=fmt))
            assert response.status_code == 400, (slug, fmt)
            assert "Hộ nghèo" not in response.content.decode(
                errors="ignore"
            ) and not response.content.startswith(b"%PDF")
    for page in ("report_area", "report_targets", "report_reconcile", "report_document_settings"):
        response = client.get(reverse(page) + f"?area={data.pk}&year=2023")
        assert response.status_code == 400 and "Xã Vĩnh Hảo" not in response.content.decode()


def test_the_district_view_shows_each_commune_with_links(client, viewer, data, district):
    other = CommuneFactory(name="Xã Bên Cạnh", parent=district)
    client.force_login(viewer)
    assert client.get(reverse("report_index")).status_code == 302
    response = client.get(reverse("report_area") + f"?area={district.pk}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Xã Vĩnh Hảo" in html and "Xã Bên Cạnh" in html and "Chưa có kết quả" in html
    assert (
        f"area={data.pk}&amp;year=2023" in html
        and f"area={other.pk}" not in html.split("Xã Bên Cạnh")[0]
    )
    assert "20,00 %" in html  # 2 poor of 10 households in the commune with data... and 15 total
    pdf = client.get(url("communes", area=district.pk, year=2023, format="pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    "params, message",
    [
        ({"area": "999999", "year": "2023"}, "Không tìm thấy địa bàn"),
        ({"area": "abc", "year": "2023"}, "Không tìm thấy địa bàn"),
        ({"area": "", "year": "2023"}, "Không tìm thấy địa bàn"),
        ({"year": "abc"}, "Năm không hợp lệ"),
        ({"year": "2023", "format": "doc"}, "Định dạng không hỗ trợ"),
    ],
)
def test_bad_parameters_get_a_clear_message(client, officer, data, params, message):
    client.force_login(officer)
    params = {"area": data.pk, **params}
    response = client.get(url("baseline", **params))
    assert response.status_code == 400 and message in response.content.decode()


def test_an_unknown_report_is_404(client, officer, data):
    client.force_login(officer)
    assert client.get(url("nothing", area=data.pk, year=2023)).status_code == 404


def test_an_empty_commune_gets_a_message(client, district):
    from accounts.tests.factories import UserFactory

    empty = CommuneFactory(name="Xã Trống", parent=district)
    officer = UserFactory(membership=(empty, "officer"))
    client.force_login(officer)
    for slug in ("baseline", "lists", "movement", "mpi", "progress", "reconciliation"):
        response = client.get(url(slug, area=empty.pk, year=2023))
        html = response.content.decode()
        assert response.status_code == 404, slug
        assert "Chưa có số liệu năm 2023 cho Xã Trống" in html
        assert "Không lập được báo cáo" not in html
        response = client.get(url(slug, area=empty.pk))  # no year: none has data
        assert response.status_code == 404
        assert "Xã Trống chưa có kết quả rà soát định kỳ nào" in response.content.decode()


def test_a_request_that_would_take_too_long_points_to_the_batch_command(
    client, officer, data, settings
):
    settings.REPORT_WEB_LIMIT_SECONDS = 0.5
    client.force_login(officer)
    response = client.get(url("lists", area=data.pk, year=2023, format="pdf"))
    html = response.content.decode()
    assert response.status_code == 413
    assert "python manage.py report lists --area" in html and "--format pdf" in html


def test_an_officer_sets_targets_and_progress_and_a_viewer_cannot(client, officer, viewer, data):
    client.force_login(officer)
    page = reverse("report_targets") + f"?area={data.pk}&year=2024"
    assert client.get(page).status_code == 200
    response = client.post(
        page,
        {
            "action": "target",
            "t-area": data.pk,
            "t-metric": "poor_reduction",
            "t-value": "30",
            "t-source": "KH 193",
        },
    )
    assert response.status_code == 302
    response = client.post(
        page,
        {
            "action": "target",
            "t-area": data.pk,
            "t-metric": "poverty_rate",
            "t-value": "bảy",
            "t-source": "KH 193",
        },
    )
    assert response.status_code == 200 and "không phải là một số" in response.content.decode()
    target = Target.objects.get(area=data, metric="poor_reduction")
    assert target.value == 30 and target.history.count() == 1
    response = client.post(
        page,
        {
            "action": "progress",
            "p-target": target.pk,
            "p-as_of": "2024-09-30",
            "p-value": "12",
            "p-source": "Báo cáo",
        },
    )
    assert response.status_code == 302 and target.progress.get().value == 12
    client.force_login(viewer)
    assert client.get(page).status_code == 200
    denied = client.post(
        page,
        {
            "action": "target",
            "t-area": data.pk,
            "t-metric": "jobs",
            "t-value": "1",
            "t-source": "x",
        },
    )
    assert denied.status_code == 403 and not Target.objects.filter(metric="jobs").exists()


def test_stated_lines_with_bad_lines_write_nothing(data):
    """The line form "row; column; value" that the demo and commands use (the page has an input
    per figure, reports/tests/test_reconcile_page.py)."""
    from django.core.exceptions import ValidationError

    from reports.services import stated_document_save

    bad = "poor; households; 3\npoor; rate; ba mươi\nnowhere; households; 1\njust two; parts"
    with pytest.raises(ValidationError) as caught:
        stated_document_save(area=data, year=2023, reference="Báo cáo X", text=bad)
    assert any("Dòng 4" in m for m in caught.value.messages)
    assert not StatedDocument.objects.exists()
    with pytest.raises(ValidationError) as caught:
        stated_document_save(
            area=data, year=2023, reference="Báo cáo X", text=bad.rsplit("\n", 1)[0]
        )
    text = " ".join(caught.value.messages)
    assert "ba mươi" in text and "không phải là một số" in text and "nowhere" in text
    assert not StatedDocument.objects.exists()
    good = "poor; households; 3\npoor; rate; 20,1\nnear_poor; rate; 7"
    stated_document_save(area=data, year=2023, reference="Báo cáo X", text=good)
    report = REPORTS["reconciliation"](data, 2023)
    verdicts = {r["_verdict"] for t in report.tables for r in t.rows}
    assert verdicts == {"equal", "rounding", "wrong"}


def test_document_settings_are_per_commune_and_per_document(client, officer, data):
    client.force_login(officer)
    page = reverse("report_document_settings") + f"?area={data.pk}&report=lists"
    response = client.post(
        page,
        {
            "issuing_body": "ỦY BAN NHÂN DÂN\nXÃ VĨNH HẢO",
            "signer_name": "Người Ký Mẫu",
            "number": "12",
            "symbol": "DS-UBND",
            "document_date": "2024-01-05",
            "version": "",
        },
    )
    assert response.status_code == 302
    settings = DocumentSettings.objects.get(area=data, report="lists")
    assert settings.signer_name == "Người Ký Mẫu"
    from reports.documents import document_blocks

    blocks = document_blocks(REPORTS["lists"](data, 2023))
    assert blocks.number_symbol == "Số: 12/DS-UBND"
    assert blocks.place_date == "Vĩnh Hảo, ngày 05 tháng 01 năm 2024"
    other = document_blocks(SPECS["baseline"].figures(data, 2023))
    assert other.signer_name == "" and other.number_symbol.endswith("/BC-UBND")
