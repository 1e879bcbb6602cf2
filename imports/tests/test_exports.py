"""Excel exports: Vietnamese headers, numbers as numbers, widths, no formula injection, scoped,
and an export imports again with no changes."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from households import services
from households.models import Assessment, Household
from households.tests.factories import HouseholdFactory, MemberFactory, ReviewCycleFactory
from imports import exports
from imports.registry import HouseholdImport
from imports.results import AssessmentImport

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(commune):
    return ReviewCycleFactory(commune=commune, year=2023)


@pytest.fixture
def registry(village_a, village_b):
    first = HouseholdFactory(
        village=village_a,
        code="VH-001",
        head_name='=HYPERLINK("http://x","bấm")',
        address="@Xóm Trên",
        ethnicity="Tày",
        phone="+84912345678",
        floor_area_m2=Decimal("45.5"),
        house_material="semi",
        water_source="protected",
        latrine="none",
        left_registry_on=datetime.date(2024, 3, 1),
    )
    MemberFactory(
        household=first,
        full_name="-Nguyễn Văn Đức",
        sex="M",
        date_of_birth=datetime.date(1980, 9, 5),
        citizen_id="002080000001",
        has_health_insurance=True,
        schooling="primary",
        work_status="self",
    )
    MemberFactory(
        household=first,
        full_name="Nông Thị Lan",
        sex="F",
        relation_to_head="spouse",
        date_of_birth=None,
        citizen_id="",
        has_disability=True,
    )
    second = HouseholdFactory(village=village_b, code="VH-002", head_name="Lục Văn Hùng")
    MemberFactory(household=second, full_name="Lục Văn Hùng", citizen_id="002080000002")
    return first, second


def load(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def source(content: bytes) -> io.BytesIO:
    buffer = io.BytesIO(content)
    buffer.name = "export.xlsx"
    return buffer


def test_household_export_imports_again_with_no_changes(commune, registry, officer):
    content = exports.households_workbook(Household.objects.visible_to(officer))
    report = HouseholdImport(commune=commune, user=officer, source=source(content)).run(
        commit=False
    )
    assert report.ok, [str(i) for i in report.issues]
    assert report.counts == {"new": 0, "updated": 0, "unchanged": 2, "invalid": 0}
    assert report.member_counts == {"new": 0, "updated": 0, "removed": 0, "unchanged": 3}


def test_text_that_starts_like_a_formula_is_neutralised(commune, registry, officer):
    wb = load(exports.households_workbook(Household.objects.visible_to(officer)))
    households, members = wb["Hộ gia đình"], wb["Thành viên"]
    head = households["C2"]
    assert head.value == '\'=HYPERLINK("http://x","bấm")' and head.data_type == "s"
    assert households["D2"].value == "'@Xóm Trên"
    assert households["F2"].value == "'+84912345678"
    assert members["B2"].value == "'-Nguyễn Văn Đức"
    for ws in (households, members):
        for row in ws.iter_rows(min_row=2):
            assert all(cell.data_type != "f" for cell in row)


def test_headers_numbers_dates_widths_and_dropdowns(commune, registry, officer):
    wb = load(exports.households_workbook(Household.objects.visible_to(officer)))
    ws = wb["Hộ gia đình"]
    assert [c.value for c in ws[1]][:3] == ["Mã hộ", "Thôn", "Chủ hộ"]
    assert ws["A1"].comment is not None and "duy nhất trong xã" in ws["A1"].comment.text
    area = ws["H2"]
    assert area.value == 45.5 and area.data_type == "n"
    assert area.number_format == "[$-42A]0.0"  # read the Vietnamese way whatever the language
    # A date is a text cell dd/mm/yyyy (a date cell is retyped in the program's language).
    left = ws["L2"]
    assert left.value == "01/03/2024" and left.data_type == "s" and left.number_format == "@"
    assert ws.column_dimensions["L"].number_format == "@"
    # A phone (and a citizen ID) is a text cell, so a user retyping "09…" keeps the leading 0.
    assert ws["F2"].data_type == "s" and ws["F2"].number_format == "@"
    assert ws.column_dimensions["C"].width == 24
    assert ws.freeze_panes == "A2"
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation if dv.type}
    assert "'Danh mục'" in lists["B2:B5001"]  # the village drop-down
    hidden = wb["Danh mục"]
    assert hidden.sheet_state == "hidden"
    assert {"Thôn A", "Thôn B"} <= {c.value for c in hidden["A"]}
    assert [r[0].value for r in wb["Hướng dẫn"].iter_rows(min_row=2, max_row=2)] == ["Hộ gia đình"]


def test_results_export_imports_again_with_no_changes(cycle, registry, officer):
    first, second = registry
    services.assessment_record(
        cycle=cycle, household=first, income_per_capita=1_200_000, deprived=["2.2", "4.1", "5.2"]
    )
    services.assessment_record(cycle=cycle, household=second, b1_score=120, deprived=["1.1"])
    content = exports.assessments_workbook(cycle, Assessment.objects.for_cycle(cycle))
    ws = load(content)["Kết quả rà soát"]
    headers = [c.value for c in ws[1]]
    assert headers[:6] == [
        "Mã hộ",
        "Chủ hộ",
        "Thôn",
        "Số nhân khẩu",
        "Thu nhập bình quân (đồng/người/tháng)",
        "Điểm B1",
    ]
    assert headers[6].startswith("1.1 ") and headers[-1] == "Phân loại"
    income = ws["E2"]
    assert income.value == 1_200_000 and income.data_type == "n"
    report = AssessmentImport(cycle=cycle, user=officer, source=source(content)).run(commit=False)
    assert report.ok, [str(i) for i in report.issues]
    assert report.counts == {"new": 0, "updated": 0, "unchanged": 2, "invalid": 0}


def test_poor_and_near_poor_lists(cycle, registry, officer):
    first, second = registry
    services.assessment_record(
        cycle=cycle, household=first, income_per_capita=1_200_000, deprived=["2.2", "4.1", "5.2"]
    )
    services.assessment_record(cycle=cycle, household=second, income_per_capita=1_300_000)
    results = Assessment.objects.for_cycle(cycle).visible_to(officer)
    poor = load(exports.class_list_workbook(cycle, results, "poor"))["Hộ nghèo"]
    assert [r[0].value for r in poor.iter_rows(min_row=2)] == ["VH-001"]
    assert poor.cell(2, poor.max_column).value == "Hộ nghèo"
    near = exports.class_list_workbook(cycle, results, "near_poor")
    assert [r[0].value for r in load(near)["Hộ cận nghèo"].iter_rows(min_row=2)] == ["VH-002"]
    report = AssessmentImport(cycle=cycle, user=officer, source=source(near)).run(commit=False)
    assert report.ok and report.counts["unchanged"] == 1


def test_export_views_are_scoped_like_the_pages(client, cycle, registry, board_a, other_officer):
    first, second = registry
    for home in registry:
        services.assessment_record(cycle=cycle, household=home, income_per_capita=1_000_000)
    client.force_login(board_a)
    response = client.get("/imports/export/households/")
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX
    wb = load(b"".join(response.streaming_content))
    assert [r[0].value for r in wb["Hộ gia đình"].iter_rows(min_row=2)] == ["VH-001"]
    assert {r[0].value for r in wb["Thành viên"].iter_rows(min_row=2)} == {"VH-001"}
    results = load(b"".join(client.get(f"/imports/export/results/{cycle.pk}/").streaming_content))
    assert [r[0].value for r in results["Kết quả rà soát"].iter_rows(min_row=2)] == ["VH-001"]
    client.force_login(other_officer)
    assert client.get(f"/imports/export/results/{cycle.pk}/").status_code == 404
    assert client.get(f"/imports/export/results/{cycle.pk}/poor/").status_code == 404
    empty = load(b"".join(client.get("/imports/export/households/").streaming_content))
    assert empty["Hộ gia đình"].max_row == 1


def test_viewer_can_download_exports(client, cycle, registry, viewer):
    client.force_login(viewer)
    response = client.get("/imports/export/households/")
    wb = load(b"".join(response.streaming_content))
    assert sorted(r[0].value for r in wb["Hộ gia đình"].iter_rows(min_row=2)) == [
        "VH-001",
        "VH-002",
    ]
    assert client.get(f"/imports/export/results/{cycle.pk}/near-poor/").status_code == 200


def test_household_export_applies_the_list_filters(client, registry, officer, village_b):
    for home in registry:
        services.refresh_search_text(home)  # factories skip the service that keeps it
    client.force_login(officer)
    response = client.get(f"/imports/export/households/?village={village_b.pk}")
    wb = load(b"".join(response.streaming_content))
    assert [r[0].value for r in wb["Hộ gia đình"].iter_rows(min_row=2)] == ["VH-002"]
    response = client.get("/imports/export/households/?q=luc van")
    wb = load(b"".join(response.streaming_content))
    assert [r[0].value for r in wb["Hộ gia đình"].iter_rows(min_row=2)] == ["VH-002"]


def test_household_export_is_the_list_page_in_its_order(client, registry, officer, village_a):
    HouseholdFactory(village=village_a, code="VH-003", head_name="An Thị Sáng")
    client.force_login(officer)
    orders = {}
    for sort in ("code", "head_name", "village"):
        page = client.get(f"/households/?sort={sort}")
        shown = [h.code for h in page.context["page"]]
        link = page.context["query"]
        assert f'href="/imports/export/households/?{link}"' in page.text.replace("&amp;", "&")
        wb = load(b"".join(client.get(f"/imports/export/households/?{link}").streaming_content))
        assert [r[0].value for r in wb["Hộ gia đình"].iter_rows(min_row=2)] == shown
        orders[sort] = shown
    assert orders["code"] == ["VH-001", "VH-002", "VH-003"]
    assert orders["head_name"] != orders["code"]  # the sort reached the export


def test_templates_have_one_column_per_indicator(client, cycle, commune, officer):
    client.force_login(officer)
    response = client.get(f"/imports/template/results/{cycle.pk}/")
    ws = load(b"".join(response.streaming_content))["Kết quả rà soát"]
    headers = [c.value for c in ws[1]]
    codes = [h.split(" ", 1)[0] for h in headers if h[0].isdigit()]
    assert codes == [f"{dimension}.{k}" for dimension in range(1, 7) for k in (1, 2)]
    yes_no = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(yes_no) == 12
    response = client.get(f"/imports/template/households/{commune.pk}/")
    assert response.status_code == 200
    assert "mau-ho-gia-dinh.xlsx" in response["Content-Disposition"]


def test_export_reads_a_fixed_number_of_times(
    commune, village_a, officer, django_assert_max_num_queries
):
    for n in range(30):
        home = HouseholdFactory(village=village_a, code=f"VH-{n:03d}")
        MemberFactory(household=home)
    with django_assert_max_num_queries(6):
        exports.households_workbook(Household.objects.visible_to(officer))


def test_import_page_lists_templates_and_exports_of_one_commune(
    client, commune, district, officer, viewer
):
    from areas.tests.factories import CommuneFactory

    neighbour = CommuneFactory(name="Xã Bên Cạnh", code="01091", parent=district)
    ours = ReviewCycleFactory(commune=commune, year=2024)
    theirs = ReviewCycleFactory(commune=neighbour, year=2024)
    client.force_login(officer)  # one commune: listed at once, no picker
    page = client.get("/imports/")
    assert 'data-testid="commune-picker"' not in page.text
    assert f"/imports/export/results/{ours.pk}/" in page.text
    assert f"/imports/template/households/{commune.pk}/" in page.text
    client.force_login(viewer)  # a district: pick a commune first
    page = client.get("/imports/")
    assert 'data-testid="commune-picker"' in page.text and "Xã Bên Cạnh" in page.text
    assert "/imports/export/results/" not in page.text
    page = client.get(f"/imports/?commune={neighbour.pk}")
    assert f"/imports/export/results/{theirs.pk}/" in page.text
    assert f"/imports/export/results/{ours.pk}/" not in page.text
    outside = CommuneFactory(name="Xã Ngoài", code="09998")
    page = client.get(f"/imports/?commune={outside.pk}")  # not the viewer's: nothing listed
    assert "/imports/template/households/" not in page.text


def test_household_export_refuses_a_bad_filter_or_too_many_households(
    client, registry, officer, settings
):
    client.force_login(officer)
    response = client.get("/imports/export/households/?cycle=999999&q=luc")
    assert response.status_code == 302 and response["Location"].startswith("/households/?")
    assert "Bộ lọc không hợp lệ" in client.get(response["Location"]).text
    settings.EXPORT_MAX_HOUSEHOLDS = 1
    response = client.get("/imports/export/households/")
    assert response.status_code == 302
    page = client.get(response["Location"]).text
    assert "Danh sách có 2 hộ, nhiều hơn 1 hộ xuất được một lần" in page
    settings.EXPORT_MAX_HOUSEHOLDS = 2
    assert client.get("/imports/export/households/").status_code == 200


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1", "-1+2", "@x", "\tcmd", "\r=x"])
def test_the_importer_reads_a_neutralised_cell_back_as_typed(text):
    from core.cells import neutralise
    from imports.columns import parse_text

    assert parse_text(neutralise(text)) == text.strip()
