"""The reconciliation page in plain language: the section I table with an input beside each
figure, a table pasted from the document read into those inputs, a year without stated figures,
and the reconciliation's XLSX with numbers as numbers."""

import io
import re

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from accounts.tests.factories import UserFactory
from households.tests.report_data import populate
from reports.models import StatedDocument
from reports.services import stated_document_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(village_a, village_b):
    populate(village_a, 10, poor=2, near=1, year=2023)
    populate(village_b, 5, poor=1, year=2023)
    return village_a.parent


def page(area, **params):
    query = "&".join(f"{k}={v}" for k, v in {"area": area.pk, **params}.items())
    return reverse("report_reconcile") + "?" + query


def inputs(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="(v:[^"]+)" value="([^"]*)"', html))


def test_the_page_shows_section_one_with_an_input_beside_each_figure(
    client, officer, data, django_assert_max_num_queries
):
    stated_document_save(area=data, year=2023, reference="X", values={("poor", "rate"): "20"})
    client.force_login(officer)
    with django_assert_max_num_queries(16):  # the figures, the documents, the marks
        response = client.get(page(data, year=2023))
    html = response.content.decode()
    assert response.status_code == 200
    # the rows as the plan's section I names them, with the computed figures
    for text in ("Hộ nghèo và cận nghèo", "Hộ cận nghèo", "Việc làm", "20,00 %", "6,67 %"):
        assert text in html, text
    # an input per figure: 5 summary rows × 3 + 12 indicators × 4
    assert len(inputs(html)) == 5 * 3 + 12 * 4
    assert 'name="v:poor:rate"' in html and 'name="v:1.1:poor_rate"' in html
    # no internal codes asked of the officer any more
    assert "mã dòng" not in html.lower() and "poor_rate;" not in html


def test_figures_typed_beside_the_table_are_saved_and_reconciled(client, officer, data):
    client.force_login(officer)
    response = client.post(
        page(data, year=2023),
        {
            "action": "save",
            "reference": "Kế hoạch số 12/KH-UBND, mục I",
            "v:poor:households": "3",
            "v:poor:rate": "20,1 %",  # a rounding of 20 % to one decimal? no: wrong
            "v:near_poor:rate": "6,7",  # 6,666… rounded to one decimal
            "v:2.2:poor_rate": "100 %",
            "v:1.1:poor": "",  # left empty: not stated
        },
    )
    assert response.status_code == 302
    document = StatedDocument.objects.get()
    assert document.reference == "Kế hoạch số 12/KH-UBND, mục I"
    stated = {(f.row, f.column): f.text for f in document.figures.all()}
    assert stated == {
        ("poor", "households"): "3",
        ("poor", "rate"): "20,1 %",
        ("near_poor", "rate"): "6,7",
        ("2.2", "poor_rate"): "100 %",
    }
    assert f"document={document.pk}" in response["Location"]
    report = client.get(response["Location"]).content.decode()
    assert "Khớp" in report and "Lệch do làm tròn" in report and "Sai" in report
    # back on the page: the stated figures in their inputs, each marked
    html = client.get(page(data, year=2023)).content.decode()
    assert inputs(html)["v:near_poor:rate"] == "6,7"
    assert 'data-mark="rounding"' in html and 'data-mark="wrong"' in html


def test_a_bad_figure_writes_nothing_and_says_which_cell_in_words(client, officer, data):
    client.force_login(officer)
    response = client.post(
        page(data, year=2023),
        {"action": "save", "reference": "Báo cáo X", "v:poor:households": "ba", "v:1.1:poor": "2"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and not StatedDocument.objects.exists()
    assert "“ba” ở ô “Hộ nghèo – Số hộ” không phải là một số" in html
    assert inputs(html)["v:1.1:poor"] == "2"  # what was typed stays in its input
    response = client.post(page(data, year=2023), {"action": "save", "reference": "Báo cáo X"})
    assert "Chưa có số liệu nào" in response.content.decode()
    assert not StatedDocument.objects.exists()


def test_a_pasted_word_table_fills_the_inputs_and_lists_what_it_could_not_map(
    client, officer, data
):
    client.force_login(officer)
    pasted = (
        "Chỉ tiêu\tSố hộ\tSố khẩu\tTỷ lệ\r\n"
        " Hộ nghèo \t 3 \t 6 \t 20,00 %\r\n"
        "Hộ cận nghèo\t1\t2\t6,67\t%\r\n"
        "Chỉ số 2.2\tBảo hiểm y tế\t3\t100 %\t1\t100 %\r\n"
        "Hộ tái nghèo\t0\t0\t0 %\r\n"
    )
    response = client.post(
        page(data, year=2023), {"action": "paste", "reference": "", "pasted": pasted}
    )
    html = response.content.decode()
    assert response.status_code == 200 and not StatedDocument.objects.exists()
    values = inputs(html)
    assert values["v:poor:households"] == "3" and values["v:poor:rate"] == "20,00 %"
    assert values["v:near_poor:rate"] == "6,67 %"
    assert values["v:2.2:near_poor_rate"] == "100 %"
    unmapped = html[html.index('data-testid="unmapped"') :]
    assert "Dòng 5" in unmapped and "Hộ tái nghèo" in unmapped
    # then saved as read
    values["action"], values["reference"] = "save", "Báo cáo Y"
    assert client.post(page(data, year=2023), values).status_code == 302
    assert StatedDocument.objects.get().figures.count() == 10


def test_a_viewer_sees_the_figures_without_inputs_and_cannot_post(client, viewer, data):
    stated_document_save(area=data, year=2023, reference="X", values={("poor", "rate"): "20 %"})
    client.force_login(viewer)
    html = client.get(page(data, year=2023)).content.decode()
    assert "20 %" in html and not inputs(html) and "<textarea" not in html
    response = client.post(page(data, year=2023), {"action": "save", "reference": "Y"})
    assert response.status_code == 403 and StatedDocument.objects.count() == 1


def test_a_year_without_review_results_says_so_on_the_page(client, officer, data):
    client.force_login(officer)
    response = client.get(page(data, year=2019))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="no-figures"' in html and "2019" in html and "?area=" in html


def test_a_stated_year_without_figures_says_so_and_links_the_entry_page(client, officer, data):
    client.force_login(officer)
    url = reverse("report", args=["reconciliation"]) + f"?area={data.pk}&year=2023"
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Chưa nhập số liệu văn bản nào của Xã Vĩnh Hảo năm 2023" in html
    link = re.search(r'href="([^"]+)" data-testid="entry-link"', html).group(1)
    assert link.replace("&amp;", "&") == page(data, year=2023)
    assert "Nhập số liệu văn bản nêu năm 2023" in html
    assert client.get(link.replace("&amp;", "&")).status_code == 200
    # a reader who may not enter figures is pointed to the page, not asked to enter
    finance = UserFactory(username="finance", membership=(data, "finance"))
    client.force_login(finance)
    html = client.get(url).content.decode()
    assert 'data-testid="entry-link"' in html and "Nhập số liệu văn bản nêu" not in html
    # once a year has stated figures, another year's message names it
    from reports.errors import NotEntered
    from reports.registry import REPORTS

    stated_document_save(area=data, year=2023, reference="X", values={("poor", "rate"): "20"})
    with pytest.raises(NotEntered) as caught:
        REPORTS["reconciliation"](data, 2024)
    assert caught.value.entry == "report_reconcile"
    assert "Đã có số liệu văn bản nêu của năm: 2023." in caught.value.messages[0]


def test_the_reconciliation_xlsx_stores_numbers_as_numbers(client, officer, data):
    stated_document_save(
        area=data,
        year=2023,
        reference="Kế hoạch 12",
        values={("poor", "households"): "1.295", ("poor", "rate"): "10,35 %"},
    )
    client.force_login(officer)
    url = reverse("report", args=["reconciliation"]) + f"?area={data.pk}&year=2023&format=xlsx"
    response = client.get(url)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    found = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            if row[0].value in ("Hộ nghèo",):
                found[row[1].value] = row
    counts = next(r for k, r in found.items() if k.startswith("Số hộ"))
    rates = next(r for k, r in found.items() if k.startswith("Tỷ lệ"))
    assert counts[2].value == 1295 and isinstance(counts[2].value, int)
    assert counts[3].value == 3 and counts[2].number_format == "[$-42A]#,##0"
    assert rates[2].value == pytest.approx(0.1035) and rates[2].number_format == "[$-42A]0.00%"
    assert rates[3].value == pytest.approx(0.2) and rates[3].number_format == "[$-42A]0.00%"
    assert isinstance(rates[4].value, float)  # the difference, in percentage points
    assert not any(
        isinstance(c.value, str) and "%" in c.value
        for s in book.worksheets
        for r in s.iter_rows(min_row=5)
        for c in r
    )


def test_in_english_a_pasted_vietnamese_table_is_still_read(client, officer, data):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(officer)
    pasted = "Hộ nghèo\t3\t6\t20,00 %\n1.1\tViệc làm\t0\t0 %\t0\t0 %\n"
    response = client.post(
        page(data, year=2023), {"action": "paste", "reference": "", "pasted": pasted}
    )
    html = response.content.decode()
    assert 'lang="en"' in html and "Employment" in html  # the page itself in English
    values = inputs(html)
    assert values["v:poor:rate"] == "20,00 %" and values["v:1.1:near_poor_rate"] == "0 %"
    assert 'data-testid="unmapped"' not in html


def test_reading_an_empty_paste_asks_for_the_table(client, officer, data):
    client.force_login(officer)
    response = client.post(
        page(data, year=2023), {"action": "paste", "reference": "", "pasted": "  \n"}
    )
    html = response.content.decode()
    assert "Hãy dán bảng số liệu của văn bản vào ô này." in html
    assert 'data-testid="paste-result"' not in html and not StatedDocument.objects.exists()


def test_a_year_without_stated_figures_links_the_years_that_have_some(
    client, officer, data, village_a
):
    populate(village_a, 4, poor=1, year=2024)
    stated_document_save(area=data, year=2023, reference="X", values={("poor", "rate"): "20"})
    client.force_login(officer)
    url = reverse("report", args=["reconciliation"]) + f"?area={data.pk}"
    html = client.get(url + "&year=2024").content.decode()
    assert "Chưa nhập số liệu văn bản nào của Xã Vĩnh Hảo năm 2024" in html
    entered = html[html.index('data-testid="entered-years"') :]
    assert f"?area={data.pk}&amp;year=2023" in entered and "Xem đối chiếu năm 2023" in entered
    assert "Khớp" in client.get(url + "&year=2023").content.decode()
