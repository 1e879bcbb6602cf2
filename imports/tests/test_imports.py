"""Importing the registry and review results from Excel: checks, preview, all-or-nothing."""

import datetime
import io
import unicodedata
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core.collation import vietnamese_sort_text
from households import bulkregistry, copywriter, services
from households.models import Assessment, Household, Member
from households.tests.factories import HouseholdFactory, MemberFactory, ReviewCycleFactory
from imports.models import ImportBatch
from imports.registry import HouseholdImport
from imports.results import AssessmentImport
from jobs.models import Job

pytestmark = pytest.mark.django_db


CORPUS = Path(__file__).parent / "corpus"
H = ["Mã hộ", "Thôn", "Chủ hộ", "Dân tộc", "Diện tích nhà ở (m²)", "Chất lượng nhà ở"]
M = ["Mã hộ", "Họ và tên", "Giới tính", "Ngày sinh", "Quan hệ với chủ hộ", "Số CCCD", "Có thẻ BHYT"]
INDICATORS = ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2", "6.1", "6.2"]
A = ["Mã hộ", "Thu nhập bình quân (đồng/người/tháng)", "Điểm B1", *INDICATORS]


def xlsx(sheets: dict) -> io.BytesIO:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "test.xlsx"
    return buffer


def registry_file(households, members):
    return xlsx({"Hộ gia đình": [H, *households], "Thành viên": [M, *members]})


def every_table_count() -> dict[str, int]:
    """Rows of every table but the import batches and their jobs (the record of the upload and
    of its preview)."""
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            if table in (ImportBatch._meta.db_table, Job._meta.db_table):
                continue
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def run_households(source, commune, user=None, commit=True):
    return HouseholdImport(commune=commune, user=user, source=source).run(commit=commit)


def messages(report) -> str:
    return " | ".join([report.file_error, *[str(i) for i in report.issues]])


@pytest.fixture
def cycle(commune):
    return ReviewCycleFactory(commune=commune, year=2023)


# --- households -----------------------------------------------------------------------------


def test_valid_file_creates_households_and_members_in_one_go(commune, village_a, officer):
    source = registry_file(
        [
            ["VH-001", "Thôn A", "  Nguyễn Văn Đức ", "Tày", 45.5, "Kiên cố / bền chắc"],
            ["VH-002", "thon a", "Lục Thị Hoa", "Nùng", "32,5", "khong ben chac"],
        ],
        [
            ["VH-001", "Nguyễn Văn Đức", "Nam", "05/09/1980", "Chủ hộ", "002080000001", "có"],
            ["VH-001", "Nông Thị Lan", "nữ", datetime.date(1985, 3, 2), "Vợ / chồng", "", "x"],
            ["VH-002", "Lục Thị Hoa", "Nữ", "1/2/1975", "Chủ hộ", 2175000002, ""],
        ],
    )
    report = run_households(source, commune, officer)
    assert report.ok, messages(report)
    assert report.committed
    assert report.counts == {"new": 2, "updated": 0, "unchanged": 0, "invalid": 0}
    first = Household.objects.get(code="VH-001")
    assert first.head_name == "Nguyễn Văn Đức"  # trimmed
    assert first.floor_area_m2 == Decimal("45.5") and first.house_material == "durable"
    second = Household.objects.get(code="VH-002")
    assert second.floor_area_m2 == Decimal("32.5") and second.house_material == "non_durable"
    assert second.village == village_a and second.commune == commune
    spouse = Member.objects.get(full_name="Nông Thị Lan")
    assert spouse.date_of_birth == datetime.date(1985, 3, 2) and spouse.sex == "F"
    assert spouse.has_health_insurance and spouse.relation_to_head == "spouse"
    # A citizen ID typed as a number lost its leading zero; it is put back.
    assert Member.objects.get(full_name="Lục Thị Hoa").citizen_id == "002175000002"
    assert Member.objects.get(full_name="Lục Thị Hoa").date_of_birth == datetime.date(1975, 2, 1)
    assert "nguyen van duc" in first.search_text
    assert first.head_sort == vietnamese_sort_text("Nguyễn Văn Đức")
    assert first.history.count() == 1 and spouse.history.get().history_user == officer


def test_text_is_stored_in_nfc(commune, village_a, officer):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn Đức")
    assert decomposed != "Nguyễn Văn Đức"
    source = registry_file(
        [["VH-001", "Thôn A", decomposed, "", None, ""]],
        [["VH-001", decomposed, "Nam", "", "Chủ hộ", "", ""]],
    )
    assert run_households(source, commune, officer).ok
    assert Household.objects.get().head_name == "Nguyễn Văn Đức"
    assert Member.objects.get().full_name == "Nguyễn Văn Đức"


def test_dry_run_reports_new_rows_and_writes_nothing(commune, village_a, officer):
    before = every_table_count()
    source = registry_file(
        [["VH-001", "Thôn A", "Nguyễn Văn Đức", "Tày", 45, ""]],
        [["VH-001", "Nguyễn Văn Đức", "Nam", "05/09/1980", "Chủ hộ", "", ""]],
    )
    report = run_households(source, commune, officer, commit=False)
    assert report.ok and not report.committed
    assert report.counts["new"] == 1 and report.member_counts["new"] == 1
    assert every_table_count() == before


def test_existing_household_is_updated_with_its_member_list(commune, village_a, officer):
    home = HouseholdFactory(village=village_a, code="VH-001", head_name="Nguyễn Văn Đức")
    MemberFactory(household=home, full_name="Nguyễn Văn Đức", citizen_id="002080000001")
    MemberFactory(household=home, full_name="Người Đã Chuyển Đi", citizen_id="002080000002")
    source = registry_file(
        [["VH-001", "Thôn A", "Nguyễn Văn Đức", "Dao", 40, ""]],
        [
            ["VH-001", "Nguyễn Văn Đức", "Nam", "01/05/1980", "Chủ hộ", "002080000001", "có"],
            ["VH-001", "Trẻ Mới Sinh", "Nữ", "01/01/2023", "Con", "", ""],
        ],
    )
    preview = run_households(source, commune, officer, commit=False)
    assert preview.counts["updated"] == 1
    assert preview.member_counts == {"new": 1, "updated": 1, "removed": 1, "unchanged": 0}
    assert "Dân tộc" in preview.changes[0].details
    version = home.version
    report = run_households(source, commune, officer)
    assert report.ok and report.committed
    home.refresh_from_db()
    assert home.ethnicity == "Dao" and home.version == version + 1
    assert sorted(home.members.values_list("full_name", flat=True)) == [
        "Nguyễn Văn Đức",
        "Trẻ Mới Sinh",
    ]
    assert Member.objects.get(citizen_id="002080000001").has_health_insurance
    assert "tre moi sinh" in home.search_text


def test_same_file_twice_reports_no_changes(commune, village_a, officer):
    source = registry_file(
        [["VH-001", "Thôn A", "Nguyễn Văn Đức", "Tày", 45.5, "Bán kiên cố"]],
        [["VH-001", "Nguyễn Văn Đức", "Nam", "05/09/1980", "Chủ hộ", "002080000001", "có"]],
    )
    assert run_households(source, commune, officer).committed
    source.seek(0)
    again = run_households(source, commune, officer, commit=False)
    assert again.ok
    assert again.counts == {"new": 0, "updated": 0, "unchanged": 1, "invalid": 0}
    assert again.member_counts["unchanged"] == 1


def test_citizen_id_of_someone_in_another_household_is_refused(commune, village_a, officer):
    other = HouseholdFactory(village=village_a, code="VH-900")
    MemberFactory(household=other, full_name="Hoàng Văn Nam", citizen_id="002080000001")
    before = every_table_count()
    source = registry_file(
        [["VH-001", "Thôn A", "Nguyễn Văn Đức", "", None, ""]],
        [["VH-001", "Nguyễn Văn Đức", "Nam", "", "Chủ hộ", "002080000001", ""]],
    )
    report = run_households(source, commune, officer)
    assert not report.committed
    assert "đã thuộc về “Hoàng Văn Nam” của hộ VH-900" in messages(report)
    assert report.issues[0].row == 2 and report.issues[0].column == "Số CCCD"
    assert every_table_count() == before


def test_board_cannot_import_into_another_village(commune, village_a, village_b, board_a):
    before = every_table_count()
    source = registry_file(
        [
            ["VH-001", "Thôn A", "Nguyễn Văn Đức", "", None, ""],
            ["VH-002", "Thôn B", "Lục Văn Hùng", "", None, ""],
        ],
        [
            ["VH-001", "Nguyễn Văn Đức", "Nam", "", "Chủ hộ", "", ""],
            ["VH-002", "Lục Văn Hùng", "Nam", "", "Chủ hộ", "", ""],
        ],
    )
    report = run_households(source, commune, board_a)
    assert not report.committed and report.counts["invalid"] == 1
    assert "Thôn “Thôn B” ngoài phạm vi" in messages(report)
    assert every_table_count() == before


def test_board_cannot_take_over_a_household_of_another_village(
    commune, village_a, village_b, board_a
):
    HouseholdFactory(village=village_b, code="VH-002")
    source = registry_file(
        [["VH-002", "Thôn A", "Lục Văn Hùng", "", None, ""]],
        [["VH-002", "Lục Văn Hùng", "Nam", "", "Chủ hộ", "", ""]],
    )
    report = run_households(source, commune, board_a)
    assert "“VH-002” đã được dùng cho một hộ ngoài phạm vi" in messages(report)
    assert "Thôn B" not in messages(report)


def test_viewer_and_other_commune_cannot_import(commune, village_a, viewer, other_officer):
    source = registry_file([["VH-001", "Thôn A", "Nguyễn Văn Đức", "", None, ""]], [])
    for user in (viewer, other_officer):
        source.seek(0)
        report = run_households(source, commune, user)
        assert "không có quyền nhập" in report.file_error
    assert Household.objects.count() == 0


def test_columns_left_out_of_the_file_are_kept(commune, village_a, officer):
    home = HouseholdFactory(village=village_a, code="VH-001", phone="0912345678", address="Xóm 1")
    source = xlsx({"Hộ gia đình": [["Mã hộ", "Thôn", "Chủ hộ"], ["VH-001", "Thôn A", "Tên Mới"]]})
    report = run_households(source, commune, officer)
    assert report.ok, messages(report)
    home.refresh_from_db()
    assert home.head_name == "Tên Mới" and home.phone == "0912345678" and home.address == "Xóm 1"
    assert any("Thành viên" in n for n in report.notices)


def test_row_errors_name_row_column_and_reason(commune, village_a, officer):
    source = registry_file(
        [["VH-001", "Thôn A", "Nguyễn Văn Đức", "", -3, "Nhà sàn"]],
        [["VH-001", "Nguyễn Văn Đức", "Nam", "32/01/1980", "Chủ hộ", "123", "có lẽ"]],
    )
    report = run_households(source, commune, officer)
    found = {(i.sheet, i.row, i.column) for i in report.issues}
    assert ("Hộ gia đình", 2, "Diện tích nhà ở (m²)") in found
    assert ("Hộ gia đình", 2, "Chất lượng nhà ở") in found
    assert ("Thành viên", 2, "Ngày sinh") in found
    assert ("Thành viên", 2, "Số CCCD") in found
    assert ("Thành viên", 2, "Có thẻ BHYT") in found
    assert "không có thật" in messages(report)
    assert report.counts["invalid"] == 2 and not report.committed


def test_import_reads_the_database_a_fixed_number_of_times(
    commune, village_a, officer, django_assert_max_num_queries
):
    def file(n):
        return registry_file(
            [[f"VH-{i:04d}", "Thôn A", f"Chủ hộ {i}", "", 40, ""] for i in range(n)],
            [[f"VH-{i:04d}", f"Chủ hộ {i}", "Nam", "", "Chủ hộ", "", ""] for i in range(n)],
        )

    with django_assert_max_num_queries(12):
        assert run_households(file(10), commune, officer, commit=False).ok
    with django_assert_max_num_queries(12):
        assert run_households(file(400), commune, officer, commit=False).ok


def test_template_of_the_commune_imports_after_filling_in(commune, village_a, officer):
    from imports.exports import household_template

    wb = openpyxl.load_workbook(io.BytesIO(household_template(commune)))
    assert wb.sheetnames[:2] == ["Hộ gia đình", "Thành viên"]
    h, m = wb["Hộ gia đình"], wb["Thành viên"]
    h.append(["VH-001", "Thôn A", "Nguyễn Văn Đức", "", "", "", "không", 30])
    m.append(["VH-001", "Nguyễn Văn Đức", "Nam", "05/09/1980", "Chủ hộ"])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    report = run_households(buffer, commune, officer)
    assert report.ok and report.committed, messages(report)


# --- review results -------------------------------------------------------------------------


@pytest.fixture
def homes(village_a, village_b):
    first = HouseholdFactory(village=village_a, code="T-0001")
    MemberFactory.create_batch(3, household=first)
    second = HouseholdFactory(village=village_b, code="T-0002")
    MemberFactory.create_batch(2, household=second)
    return first, second


def flags(*deprived):
    return ["x" if code in deprived else "" for code in INDICATORS]


def results_file(rows):
    return xlsx({"Kết quả rà soát": [A, *rows]})


def run_results(source, cycle, user=None, commit=True):
    return AssessmentImport(cycle=cycle, user=user, source=source).run(commit=commit)


def test_results_are_classified_like_the_form(cycle, homes, officer):
    source = results_file(
        [
            ["T-0001", 1_200_000, None, *flags("2.2", "4.1", "5.2")],
            ["T-0002", "1.400.000", None, *flags("2.2")],
        ]
    )
    report = run_results(source, cycle, officer)
    assert report.ok and report.committed, messages(report)
    first = Assessment.objects.get(household=homes[0])
    assert (first.household_class, first.member_count, first.deprivation_count) == ("poor", 3, 3)
    second = Assessment.objects.get(household=homes[1])
    assert second.household_class == "near_poor" and second.income_per_capita == 1_400_000
    # The same as recording it through the service the form uses.
    again = services.assessment_record(
        cycle=cycle, household=homes[0], income_per_capita=1_200_000, deprived=["2.2", "4.1", "5.2"]
    )
    assert again.household_class == first.household_class


def test_results_reimported_unchanged_then_updated(cycle, homes, officer):
    rows = [["T-0001", 1_200_000, None, *flags("2.2")]]
    assert run_results(results_file(rows), cycle, officer).committed
    same = run_results(results_file(rows), cycle, officer, commit=False)
    assert same.counts == {"new": 0, "updated": 0, "unchanged": 1, "invalid": 0}
    changed = run_results(
        results_file([["T-0001", 1_200_000, None, *flags("2.2", "4.1", "5.1")]]), cycle, officer
    )
    assert changed.counts["updated"] == 1 and changed.committed
    assert Assessment.objects.get().household_class == "poor"


def test_results_of_a_finalised_cycle_are_refused(cycle, homes, officer):
    for home in homes:  # only a complete periodic review can be closed
        services.assessment_record(cycle=cycle, household=home, income_per_capita=5_000_000)
    services.review_cycle_finalise(cycle=cycle, user=officer)
    report = run_results(results_file([["T-0001", 1_000_000, None, *flags()]]), cycle, officer)
    assert "đã chốt" in report.file_error
    assert list(Assessment.objects.values_list("income_per_capita", flat=True)) == [5_000_000] * 2


def test_board_imports_results_of_its_village_only(cycle, homes, board_a):
    before = every_table_count()
    source = results_file(
        [["T-0001", 1_000_000, None, *flags()], ["T-0002", 1_000_000, None, *flags()]]
    )
    report = run_results(source, cycle, board_a)
    # T-0002 lives in Thôn B: the board is told what it would be told of a code nobody has.
    assert "Không có hộ mã “T-0002” trong Thôn A." in messages(report)
    missing = run_results(results_file([["T-9999", 1_000_000, None, *flags()]]), cycle, board_a)
    assert messages(missing).replace("T-9999", "T-0002").replace("dòng 2", "dòng 3") == (
        messages(report)
    )
    assert every_table_count() == before


def test_results_need_income_or_b1(cycle, homes, officer):
    report = run_results(results_file([["T-0001", None, None, *flags()]]), cycle, officer)
    assert "thu nhập bình quân đầu người hoặc điểm B1" in messages(report)


def test_results_of_households_off_the_cycles_registry_are_row_problems(cycle, homes, officer):
    left, joined = homes
    # The cycle's reference date is 14/12/2023: one left before it, one joined after it.
    Household.objects.filter(pk=left.pk).update(left_registry_on=datetime.date(2023, 12, 1))
    Household.objects.filter(pk=joined.pk).update(
        joined_registry_on=datetime.date(2024, 1, 5), joined_how="moved_in"
    )
    source = results_file(
        [["T-0001", 1_000_000, None, *flags()], ["T-0002", 1_000_000, None, *flags()]]
    )
    report = run_results(source, cycle, officer)
    text = messages(report)
    assert "Hộ T-0001 đã ra khỏi danh sách ngày 01/12/2023" in text
    assert "Hộ T-0002 vào danh sách ngày 05/01/2024, sau ngày chốt số liệu 14/12/2023" in text
    assert not report.committed and not Assessment.objects.exists()


# --- shell commands -------------------------------------------------------------------------


def test_command_commits_and_dry_run_does_not(commune, village_a, tmp_path, capsys):
    path = tmp_path / "ho.xlsx"
    path.write_bytes(
        registry_file(
            [["VH-001", "Thôn A", "Nguyễn Văn Đức", "", 40, ""]],
            [["VH-001", "Nguyễn Văn Đức", "Nam", "", "Chủ hộ", "", ""]],
        ).getvalue()
    )
    call_command("import_households", str(path), "--commune", "01090", "--dry-run")
    assert Household.objects.count() == 0
    assert "Dòng mới: 1" in capsys.readouterr().out
    call_command("import_households", str(path), "--commune", "Xã Vĩnh Hảo")
    assert Household.objects.count() == 1 and Member.objects.count() == 1


def test_command_exits_non_zero_and_prints_row_errors(commune, village_a, tmp_path, capsys):
    path = tmp_path / "ho.xlsx"
    path.write_bytes((CORPUS / "22_duplicated_rows.xlsx").read_bytes())
    before = every_table_count()
    with pytest.raises(CommandError, match="dòng lỗi"):
        call_command("import_households", str(path), "--commune", "01090")
    err = capsys.readouterr().err
    assert "Trang “Hộ gia đình”, dòng 3, cột “Mã hộ”: Mã hộ “T-0001” trùng với dòng 2." in err
    assert every_table_count() == before


def test_assessment_command_with_year(cycle, homes, tmp_path, capsys):
    path = tmp_path / "kq.xlsx"
    path.write_bytes(results_file([["T-0001", 900_000, None, *flags("2.2")]]).getvalue())
    call_command("import_assessments", str(path), "--commune", "01090", "--year", "2023")
    assert Assessment.objects.get().household_class == "near_poor"
    with pytest.raises(CommandError, match="chưa có đợt rà soát định kỳ năm 2019"):
        call_command("import_assessments", str(path), "--commune", "01090", "--year", "2019")


def test_command_user_scope(commune, village_a, village_b, board_a, tmp_path):
    path = tmp_path / "ho.xlsx"
    path.write_bytes(
        registry_file(
            [["VH-002", "Thôn B", "Lục Văn Hùng", "", None, ""]],
            [["VH-002", "Lục Văn Hùng", "Nam", "", "Chủ hộ", "", ""]],
        ).getvalue()
    )
    with pytest.raises(CommandError):
        call_command("import_households", str(path), "--commune", "01090", "--user", "board_a")
    assert Household.objects.count() == 0


# --- the bad-input corpus -------------------------------------------------------------------

REGISTRY_CORPUS = {
    "01_random_bytes.xlsx": "không phải là bảng tính Excel",
    "02_csv_renamed.xlsx": "văn bản (CSV)",
    "03_xls_renamed.xlsx": ".xls",
    "04_truncated_zip.xlsx": "bị hỏng",
    "05_empty_file.xlsx": "Tệp trống",
    "06_empty_workbook.xlsx": "trống: không có dòng tiêu đề",
    "07_docx_renamed.xlsx": "Word",
    "08_zip_of_text.xlsx": "không phải là bảng tính Excel",
    "09_ods_renamed.xlsx": ".ods",
    "10_html_renamed.xlsx": "HTML",
    "11_header_missing.xlsx": "thiếu cột bắt buộc: “Chủ hộ”",
    "12_header_renamed.xlsx": "thiếu cột bắt buộc: “Mã hộ”",
    "13_header_duplicated.xlsx": "cột “Chủ hộ” xuất hiện hai lần",
    "14_header_merged.xlsx": "gộp ô",
    "15_no_matching_sheet.xlsx": "Không tìm thấy trang “Hộ gia đình”",
    "16_million_empty_rows.xlsx": "có hơn 300.000 dòng",
    "17_over_size_limit.xlsx": "Tệp quá lớn",
    "18_zip_bomb.xlsx": "giải nén ra",
    "19_broken_xml.xlsx": "bị hỏng",
    "20_formulas.xlsx": "Ô chứa công thức",
    "21_wrong_types.xlsx": "“bốn mươi” không phải là một số",
    "22_duplicated_rows.xlsx": "Mã hộ “T-0001” trùng với dòng 2",
    "23_rows_of_another_commune.xlsx": "Thôn này thuộc Xã Khác: dòng của xã khác",
    "24_unknown_village.xlsx": "Không có thôn “Thôn Không Có” trong Xã Vĩnh Hảo",
    "25_duplicate_citizen_id.xlsx": "Số CCCD 002080000001 trùng với dòng 2",
    "26_member_of_unknown_household.xlsx": "Không có hộ mã “T-9999”",
    "27_birth_in_future.xlsx": "Ngày sinh không thể ở tương lai",
    "28_excel_error_value.xlsx": "lỗi Excel #N/A",
    "29_new_household_without_members.xlsx": "Hộ mới cần ít nhất một thành viên",
    "34_zip_bomb_under_limit.xlsx": "Không có thôn “Thôn Không Có”",
    "35_zip_bomb_over_part_limit.xlsx": "giải nén ra hơn 20,0 MB",
    "36_zip_bomb_over_total_limit.xlsx": "giải nén ra hơn 30,0 MB",
    "37_zip_bomb_lying_sizes.xlsx": "bị hỏng",
    "38_shared_strings_bomb.xlsx": "giải nén ra hơn 20,0 MB",  # 150 MB
    "39_shared_strings_over_their_limit.xlsx": "giải nén ra hơn 10,0 MB",
    "40_too_many_parts.xlsx": "quá nhiều thành phần",
    "41_xxe_external_entity.xlsx": "khai báo DTD/ENTITY",
    "42_billion_laughs_shared_strings.xlsx": "khai báo DTD/ENTITY",
    "43_billion_laughs_workbook.xlsx": "khai báo DTD/ENTITY",
    "44_comment_of_five_megabytes.xlsx": "một đoạn quá dài",
    "45_utf16_sheet.xlsx": "nội dung XML mà bảng tính Excel không có",
    "46_xlsm_renamed.xlsx": "Tệp có macro",
    "47_external_link.xlsx": "Ô chứa công thức (=[1]Sheet1!A1)",
    "48_merged_cells_in_data.xlsx": "Bắt buộc, không được để trống",
    "51_huge_and_negative_floor_area.xlsx": "lớn hơn mức tối đa 10.000",
    "52_date_serial_out_of_range.xlsx": "Ngày phải có dạng dd/mm/yyyy",
    "53_number_of_five_thousand_digits.xlsx": "bị hỏng",
    "54_household_of_another_village.xlsx": "Bắt buộc, không được để trống",
    "56_citizen_id_held_in_scope.xlsx": "đã thuộc về “Nguyễn Văn Đức” của hộ T-0001 (Thôn A)",
    "57_citizen_id_held_in_another_village.xlsx": "đã thuộc về “Lục Văn Hùng” của hộ T-0002",
    "58_citizen_id_held_in_another_commune.xlsx": "không cho biết số nào hay của ai",
    "59_rows_of_another_commune_and_scope.xlsx": "Thôn này thuộc Xã Khác",
}
RESULTS_CORPUS = {
    "30_indicator_not_yes_no.xlsx": "“maybe” không hợp lệ",
    "31_income_not_a_number.xlsx": "“một triệu” không phải là một số",
    "32_results_unknown_household.xlsx": "Không có hộ mã “KHONG-CO”",
    "33_results_indicator_column_missing.xlsx": "thiếu cột bắt buộc",
    "49_huge_numbers_results.xlsx": "lớn hơn mức tối đa 1.000.000.000",
    "50_negative_numbers_results.xlsx": "Không được là số âm",
    "55_results_of_other_villages_and_communes.xlsx": "Không có hộ mã “OUT-1”",
}


def test_corpus_has_at_least_twenty_files_all_covered():
    files = {p.name for p in CORPUS.glob("*.xlsx")}
    assert len(files) >= 20
    assert files == REGISTRY_CORPUS.keys() | RESULTS_CORPUS.keys()


@pytest.fixture
def corpus_world(commune, village_a, village_b, other_village, officer, settings):
    # The size-limit files are judged against a 512 KB limit (the default is 20 MB) and 20 MB
    # unpacked per part, 30 MB in all.
    settings.IMPORT_MAX_BYTES = 512 * 1024
    settings.IMPORT_MAX_UNPACKED_PART_BYTES = 20 * 1024 * 1024
    settings.IMPORT_MAX_UNPACKED_TOTAL_BYTES = 30 * 1024 * 1024
    settings.IMPORT_MAX_SHARED_STRINGS_BYTES = 10 * 1024 * 1024
    home = HouseholdFactory(village=village_a, code="T-0001", head_name="Nguyễn Văn Đức")
    MemberFactory(household=home, full_name="Nguyễn Văn Đức", citizen_id="002080000009")
    there = HouseholdFactory(village=village_b, code="T-0002", head_name="Lục Văn Hùng")
    MemberFactory(household=there, full_name="Lục Văn Hùng", citizen_id="002080000010")
    away = HouseholdFactory(village=other_village, code="OUT-1", head_name="Người Xã Khác")
    MemberFactory(household=away, full_name="Người Xã Khác", citizen_id="002099001234")
    return ReviewCycleFactory(commune=commune, year=2023)


@pytest.mark.parametrize("name", sorted(REGISTRY_CORPUS))
def test_bad_registry_file_gets_a_clear_message_and_writes_nothing(
    name, corpus_world, commune, officer
):
    before = every_table_count()
    with open(CORPUS / name, "rb") as source:
        report = HouseholdImport(commune=commune, user=officer, source=source).run(commit=True)
    assert not report.ok and not report.committed
    assert REGISTRY_CORPUS[name] in messages(report)
    assert every_table_count() == before


@pytest.mark.parametrize("name", sorted(RESULTS_CORPUS))
def test_bad_results_file_gets_a_clear_message_and_writes_nothing(name, corpus_world, officer):
    before = every_table_count()
    with open(CORPUS / name, "rb") as source:
        report = AssessmentImport(cycle=corpus_world, user=officer, source=source).run(commit=True)
    assert not report.ok and not report.committed
    assert RESULTS_CORPUS[name] in messages(report)
    assert every_table_count() == before


# --- the browser: upload → preview → confirm ------------------------------------------------


@pytest.fixture
def uploads(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_DIR


def good_registry():
    source = registry_file(
        [["VH-001", "Thôn A", "Nguyễn Văn Đức", "Tày", 40, ""]],
        [["VH-001", "Nguyễn Văn Đức", "Nam", "05/09/1980", "Chủ hộ", "002080000001", "có"]],
    )
    source.name = "danh-sach.xlsx"
    return source


def upload(client, commune, source):
    """Open the import page (which hands out the progress token), upload; the preview names the
    stored file by a token the server drew."""
    page = client.get("/imports/")
    progress = page.context["token"]
    return client.post(
        "/imports/upload/households/",
        {"commune": commune.pk, "file": source, "token": progress},
        follow=True,  # to the batch's page, which shows the preview once its job has run
    )


def stored(preview) -> str:
    return preview.context["token"]


def imported(response) -> bool:
    """Whether a followed confirm ended on the import page with what was written."""
    return response.request["PATH_INFO"] == "/imports/" and "Đã nhập" in response.text


def confirm(client, token, **data):
    """Confirm, and follow to where the confirm job's outcome is shown: the import page after a
    write, the preview again when nothing was written."""
    return client.post(f"/imports/{token}/confirm/", data, follow=True)


def test_upload_previews_then_confirm_writes_once(client, commune, village_a, officer, uploads):
    client.force_login(officer)
    page = client.get("/imports/")
    assert page.status_code == 200 and "Nhập danh sách hộ và thành viên" in page.text
    before = every_table_count()
    preview = upload(client, commune, good_registry())
    assert preview.status_code == 200
    assert "Xem trước khi nhập" in preview.text and "VH-001" in preview.text
    assert preview.context["report"].counts["new"] == 1
    assert every_table_count() == before  # the preview wrote nothing
    token = stored(preview)
    assert (uploads / f"{token}.xlsx").exists()
    done = confirm(client, token)
    assert done.redirect_chain[0] == (f"/imports/{token}/", 302)  # at once, to the job's page
    assert imported(done)
    assert Household.objects.count() == 1 and Member.objects.count() == 1
    assert not (uploads / f"{token}.xlsx").exists()
    again = client.post(f"/imports/{token}/confirm/")  # a double submit: no double import
    assert again.status_code == 404 and "đã được xác nhận nhập" in again.text
    assert Household.objects.count() == 1


def test_confirm_uses_the_stored_file_not_a_new_upload(
    client, commune, village_a, officer, uploads
):
    client.force_login(officer)
    token = stored(upload(client, commune, good_registry()))
    other = registry_file(
        [["EVIL-1", "Thôn A", "Không Được Ghi", "", 40, ""]],
        [["EVIL-1", "Không Được Ghi", "Nam", "", "Chủ hộ", "", ""]],
    )
    client.post(f"/imports/{token}/confirm/", {"file": other})
    assert list(Household.objects.values_list("code", flat=True)) == ["VH-001"]


def test_a_second_upload_cannot_replace_the_previewed_file(
    client, commune, village_a, officer, uploads
):
    """The page's token names only the progress; each upload gets its own stored file, and a
    stored file whose content changed after the preview is not confirmed."""
    client.force_login(officer)
    first = stored(upload(client, commune, good_registry()))
    other = registry_file(
        [["EVIL-1", "Thôn A", "Không Được Ghi", "", 40, ""]],
        [["EVIL-1", "Không Được Ghi", "Nam", "", "Chủ hộ", "", ""]],
    )
    other.name = "khac.xlsx"
    second = stored(upload(client, commune, other))
    assert second != first and (uploads / f"{first}.xlsx").exists()
    (uploads / f"{first}.xlsx").write_bytes((uploads / f"{second}.xlsx").read_bytes())
    assert client.post(f"/imports/{first}/confirm/").status_code == 404
    assert Household.objects.count() == 0


def test_preview_lists_each_invalid_row_and_offers_no_confirm(
    client, commune, village_a, officer, uploads
):
    client.force_login(officer)
    source = registry_file(
        [["VH-001", "Thôn Không Có", "Nguyễn Văn Đức", "", 40, ""]],
        [["VH-001", "Nguyễn Văn Đức", "Nam", "31/02/1980", "Chủ hộ", "", ""]],
    )
    preview = upload(client, commune, source)
    assert preview.status_code == 200
    text = preview.text
    assert "Không có thôn “Thôn Không Có” trong Xã Vĩnh Hảo." in text
    assert "Ngày “31/02/1980” không có thật." in text
    assert "Xác nhận nhập" not in text
    again = confirm(client, stored(preview))
    assert again.status_code == 200 and "Xem trước khi nhập" in again.text  # shown again
    assert Household.objects.count() == 0


def test_another_session_cannot_confirm_or_cancel_an_upload(
    client, commune, village_a, officer, uploads, django_user_model
):
    client.force_login(officer)
    token = stored(upload(client, commune, good_registry()))
    intruder = django_user_model.objects.create_user("intruder", password="x-pass-12345")
    from accounts.models import Membership

    Membership.objects.create(user=intruder, area=commune, role="officer")
    client.force_login(intruder)
    assert client.post(f"/imports/{token}/confirm/").status_code == 404
    assert client.post(f"/imports/{token}/cancel/").status_code == 404
    assert client.get(f"/imports/{token}/status/").status_code == 404
    assert Household.objects.count() == 0


def test_the_import_link_is_shown_to_those_who_change_the_registry(client, commune, officer):
    from accounts.tests.factories import UserFactory

    accountant = UserFactory(username="ketoan", membership=(commune, "finance"))
    client.force_login(officer)
    assert "Nhập Excel" in client.get("/").text
    client.force_login(accountant)
    assert "Nhập Excel" not in client.get("/").text


def test_viewer_is_refused_with_a_message(client, commune, village_a, viewer, uploads):
    client.force_login(viewer)
    page = client.get("/imports/")
    assert "chỉ có quyền xem" in page.text and "Tải lên và xem trước" not in page.text
    response = upload(client, commune, good_registry())
    assert response.status_code == 403 and "không có quyền nhập" in response.text
    assert Household.objects.count() == 0


def test_board_preview_refuses_rows_of_another_village(
    client, commune, village_a, village_b, board_a, uploads
):
    client.force_login(board_a)
    source = registry_file(
        [["VH-002", "Thôn B", "Lục Văn Hùng", "", None, ""]],
        [["VH-002", "Lục Văn Hùng", "Nam", "", "Chủ hộ", "", ""]],
    )
    preview = upload(client, commune, source)
    assert "ngoài phạm vi bạn được nhập" in preview.text
    client.post(f"/imports/{stored(preview)}/confirm/")
    assert Household.objects.count() == 0


def test_upload_over_the_size_limit_gets_a_message(
    client, commune, village_a, officer, uploads, settings
):
    settings.IMPORT_MAX_BYTES = 1024
    client.force_login(officer)
    page = upload(client, commune, good_registry())
    assert page.redirect_chain == [("/imports/", 302)]
    assert "Tệp quá lớn" in page.text and "giới hạn là 0,0 MB" in page.text
    assert not uploads.exists() or not any(uploads.iterdir())


def test_cancel_removes_the_stored_file(client, commune, village_a, officer, uploads):
    client.force_login(officer)
    token = stored(upload(client, commune, good_registry()))
    assert client.post(f"/imports/{token}/cancel/").status_code == 302
    assert not (uploads / f"{token}.xlsx").exists()
    assert Household.objects.count() == 0


def test_confirm_starts_from_the_previews_reading_of_the_file(
    client, commune, village_a, officer, uploads, monkeypatch
):
    from imports import importer

    client.force_login(officer)
    token = stored(upload(client, commune, good_registry()))
    assert (uploads / f"{token}.reading").exists()

    def unreadable(source):
        raise AssertionError("the confirm read the file again")

    monkeypatch.setattr(importer, "open_workbook", unreadable)
    assert imported(confirm(client, token))
    household = Household.objects.get()
    assert household.code == "VH-001" and household.members.get().citizen_id == "002080000001"
    assert not (uploads / f"{token}.reading").exists()


def test_a_reading_changed_on_disk_is_not_loaded_and_the_file_is_read_again(
    client, commune, village_a, officer, uploads, monkeypatch
):
    import pickle

    from imports import importer

    client.force_login(officer)
    token = stored(upload(client, commune, good_registry()))
    kept = uploads / f"{token}.reading"
    state = pickle.loads(kept.read_bytes())
    state["reading"][0]["VH-001"].values["head_name"] = "Tên Bị Sửa"
    kept.write_bytes(pickle.dumps(state))
    loaded = []
    monkeypatch.setattr(importer._ReadingUnpickler, "load", lambda self: loaded.append(self) or {})
    reads = []
    original = importer.open_workbook
    monkeypatch.setattr(importer, "open_workbook", lambda s: reads.append(s) or original(s))
    assert imported(confirm(client, token))
    assert not loaded and len(reads) == 1
    assert Household.objects.get().head_name == "Nguyễn Văn Đức"


class _Deletes:
    """What a forged reading would hold: unpickling it calls ``os.remove``."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        import os

        return (os.remove, (self.path,))


def test_a_forged_reading_with_a_matching_digest_calls_nothing_and_the_file_is_read_again(
    client, commune, village_a, officer, uploads, tmp_path
):
    """Even someone who can write both the upload directory and the batch's row (its digest)
    cannot make the confirm call a function: only the reading's own classes are unpickled."""
    import hashlib
    import pickle

    client.force_login(officer)
    token = stored(upload(client, commune, good_registry()))
    victim = tmp_path / "victim.txt"
    victim.write_text("still here")
    forged = pickle.dumps({"context": None, "attributes": {}, "reading": _Deletes(victim)})
    (uploads / f"{token}.reading").write_bytes(forged)
    ImportBatch.objects.filter(token=token).update(
        reading_sha256=hashlib.sha256(forged).hexdigest()
    )
    assert imported(confirm(client, token))
    assert victim.read_text() == "still here"
    assert Household.objects.get().head_name == "Nguyễn Văn Đức"  # read from the file again


def test_a_reading_made_in_another_scope_is_not_used(commune, village_a, officer, tmp_path):
    kept = tmp_path / "kept.reading"
    first = HouseholdImport(commune=commune, user=officer, source=good_registry())
    assert first.run(commit=False, keep=kept).ok and kept.exists()
    same = HouseholdImport(commune=commune, user=officer, source=good_registry())
    assert same.run(commit=False, reuse=kept.read_bytes()).reused_reading  # same context: used
    village_a.name = "Thôn A Mới"  # the file's “Thôn A” no longer names a village
    village_a.save()
    again = HouseholdImport(commune=commune, user=officer, source=good_registry())
    report = again.run(commit=True, reuse=kept.read_bytes())
    assert not report.reused_reading and not report.committed
    assert "Không có thôn “Thôn A” trong Xã Vĩnh Hảo." in messages(report)
    assert Household.objects.count() == 0


def test_a_registry_changed_since_the_preview_is_shown_again_before_anything_is_written(
    client, commune, village_a, officer, uploads
):
    client.force_login(officer)
    token = stored(upload(client, commune, good_registry()))
    # Meanwhile someone registers the same household by hand, with another head's name.
    services.household_create(village=village_a, code="VH-001", head_name="Người Khác")
    before = every_table_count()
    again = confirm(client, token)
    assert again.status_code == 200  # the preview again, not a redirect
    assert "Sổ hộ đã thay đổi từ lúc xem trước" in again.text
    report = again.context["report"]
    assert report.changed_since_preview and not report.committed
    assert report.counts == {"new": 0, "updated": 1, "unchanged": 0, "invalid": 0}
    assert every_table_count() == before
    # Confirming what is now shown writes it.
    assert imported(confirm(client, token))
    household = Household.objects.get()
    assert household.head_name == "Nguyễn Văn Đức" and household.members.count() == 1


def test_a_confirm_without_a_previewed_outcome_shows_the_preview_first(
    client, commune, village_a, officer, uploads
):
    client.force_login(officer)
    token = stored(upload(client, commune, good_registry()))
    # As after a preview that found problems: no outcome to confirm.
    ImportBatch.objects.filter(token=token).update(outcome={})
    again = confirm(client, token)
    assert again.status_code == 200 and again.context["report"].changed_since_preview
    assert Household.objects.count() == 0
    assert imported(confirm(client, token))
    assert Household.objects.count() == 1


def test_a_household_edited_since_the_preview_is_not_overwritten_unseen(
    client, commune, village_a, officer, uploads
):
    """The file changes the head's name; meanwhile a form saves the household (another field):
    the changes listed are the same, but they rest on another version of the household."""
    home = services.household_create(village=village_a, code="VH-001", head_name="Tên Cũ")
    client.force_login(officer)
    source = registry_file([["VH-001", "Thôn A", "Tên Mới", "", None, ""]], [])
    preview = upload(client, commune, source)
    assert preview.context["report"].counts["updated"] == 1
    services.household_update(
        household=home, expected_version=home.version, address="Xóm Trên, Thôn A"
    )
    again = confirm(client, stored(preview))
    assert again.status_code == 200 and again.context["report"].changed_since_preview
    home.refresh_from_db()
    assert home.head_name == "Tên Cũ" and home.address == "Xóm Trên, Thôn A"
    assert imported(confirm(client, stored(preview)))
    home.refresh_from_db()
    assert home.head_name == "Tên Mới" and home.address == "Xóm Trên, Thôn A"


def test_the_outcome_of_a_preview_does_not_depend_on_the_language(commune, village_a, officer):
    from django.utils import translation

    home = services.household_create(village=village_a, code="VH-001", head_name="Tên Cũ")
    MemberFactory(household=home, full_name="Tên Cũ")
    source = registry_file(
        [["VH-001", "Thôn A", "Tên Mới", "", None, ""]],
        [["VH-001", "Tên Mới", "Nam", "", "Chủ hộ", "", ""]],
    )
    outcomes = []
    for language in ("vi", "en"):
        source.seek(0)
        with translation.override(language):
            report = run_households(source, commune, officer, commit=False)
        assert report.ok and report.counts["updated"] == 1
        outcomes.append((report.outcome(), report.changes[0].details))
    assert outcomes[0][0] == outcomes[1][0] and outcomes[0][1] != outcomes[1][1]


def test_upload_directory_must_be_the_servers_own(settings, tmp_path):
    import os

    from django.core.exceptions import ImproperlyConfigured

    from imports.storage import upload_dir

    settings.IMPORT_UPLOAD_DIR = tmp_path / "open"
    (tmp_path / "open").mkdir(mode=0o777)
    (tmp_path / "open").chmod(0o777)
    assert upload_dir().stat().st_mode & 0o777 == 0o700
    if os.getuid() == 0:  # only root can hand a directory to another user
        settings.IMPORT_UPLOAD_DIR = tmp_path / "theirs"
        (tmp_path / "theirs").mkdir()
        os.chown(tmp_path / "theirs", 4321, -1)
        with pytest.raises(ImproperlyConfigured):
            upload_dir()


def test_progress_is_reported_for_large_files(commune, village_a, officer, viewer, client, uploads):
    seen = []
    source = registry_file(
        [[f"VH-{i:05d}", "Thôn A", f"Chủ hộ {i}", "", 40, ""] for i in range(2500)],
        [[f"VH-{i:05d}", f"Chủ hộ {i}", "Nam", "", "Chủ hộ", "", ""] for i in range(2500)],
    )
    job = HouseholdImport(
        commune=commune, user=officer, source=source, progress=lambda d, t: seen.append((d, t))
    )
    assert job.run(commit=False).ok
    assert seen and seen[-1][0] <= seen[-1][1] and seen[0][1] >= 5000
    # The page polls the progress of the upload under its token while the upload request runs.
    client.force_login(officer)
    token = client.get("/imports/").context["token"]
    batch = ImportBatch.objects.get(token=stored(upload(client, commune, good_registry())))
    assert batch.progress_token == token and batch.progress["done"]
    ImportBatch.objects.filter(pk=batch.pk).update(
        progress={"done": False, "rows": 2000, "total": 5002}
    )
    fragment = client.get(f"/imports/{token}/status/")
    assert "2.000 / khoảng 5.002 dòng" in fragment.text
    assert "2.000 / khoảng 5.002 dòng" in client.get(f"/imports/{batch.token}/status/").text
    assert client.get("/imports/not-a-token/status/").status_code == 404
    ImportBatch.objects.filter(pk=batch.pk).update(token="b" * 22)  # well formed, not theirs
    client.force_login(viewer)
    assert client.get(f"/imports/{'b' * 22}/status/").status_code == 404
    assert "2.000" not in client.get(f"/imports/{token}/status/").text


# --- the two ways of reading a sheet give the same values -----------------------------------

EXCEL_LIKE_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" '
    'mc:Ignorable="x14ac"><dimension ref="A1:D5"/><sheetData>'
    '<row r="1" spans="1:4" x14ac:dyDescent="0.25"><c r="A1" t="s"><v>0</v></c>'
    '<c r="B1" t="s"><v>1</v></c><c r="D1" s="1"><v>29221</v></c></row>'
    '<row r="2" spans="1:4" x14ac:dyDescent="0.25"><c r="A2"><v>1.5E3</v></c>'
    '<c r="B2" t="b"><v>1</v></c><c r="C2" t="e"><v>#N/A</v></c>'
    '<c r="D2"><f>A2*2</f><v>3000</v></c></row>'
    '<row r="4" x14ac:dyDescent="0.25"/>'
    '<row r="5"><c r="A5" t="str"><v>a &amp; b &#x1EC7;</v></c><c r="C5" s="1"/></row>'
    '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
    'header="0.3" footer="0.3"/></worksheet>'
)


def excel_like_workbook() -> bytes:
    import zipfile

    from imports.tests.corpus.make_corpus import _replace_part

    wb = openpyxl.Workbook()
    wb.active.title = "Hộ gia đình"
    wb.active["A1"] = "x"
    wb.active["B1"] = "y"
    wb.active["C1"] = datetime.date(1980, 1, 1)  # makes openpyxl write a date style (s="1")
    base = io.BytesIO()
    wb.save(base)
    content = _replace_part(base.getvalue(), "xl/worksheets/sheet1.xml", EXCEL_LIKE_SHEET.encode())
    parts = zipfile.ZipFile(io.BytesIO(content))
    names = parts.namelist()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in names:
            data = parts.read(name)
            if name == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                    b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            if name == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>',
                )
            z.writestr(name, data)
        z.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            "<si><t>Mã hộ</t></si><si><r><t>Chủ </t></r><r><rPr><b/></rPr><t>hộ &lt;1&gt;</t>"
            "</r></si></sst>",
        )
    return out.getvalue()


def openpyxl_workbook() -> bytes:
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Mã hộ", "  khoảng trắng  ", "a & b < c > d \" ' e", "dòng\r\nhai", None, "Đức"])
    ws.append([1, -2.5, 1e20, True, datetime.date(2023, 12, 14), datetime.datetime(2024, 1, 2, 3)])
    ws.append(["=SUM(A2:B2)", None, None, "#N/A", '="x"', unicodedata.normalize("NFD", "Hà")])
    ws["D3"].data_type = "e"
    ws["B4"] = CellRichText(["đậm ", TextBlock(InlineFont(b=True), "chữ")])
    ws["Z9"] = "xa"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def both_ways(content: bytes) -> list:
    from imports.limits import ImportFileError
    from imports.reader import open_workbook

    results = []
    for fast in (True, False):
        try:
            book = open_workbook(io.BytesIO(content))
        except ImportFileError as exc:
            results.append(("file", exc.message))
            continue
        try:
            results.append([list(book.rows(n, fast=fast)) for n in book.sheet_names])
        except ImportFileError as exc:
            results.append(("sheet", exc.message))
        finally:
            book.close()
    return results


@pytest.mark.parametrize("make", [excel_like_workbook, openpyxl_workbook])
def test_scanned_and_parsed_rows_are_the_same(make):
    scanned, parsed = both_ways(make())
    assert scanned == parsed
    assert any(v for _n, row in scanned[0] for v in row)


def test_excel_like_values_are_read_as_excel_means_them():
    (rows,), _parsed = both_ways(excel_like_workbook())
    assert rows[0] == (1, ["Mã hộ", "Chủ hộ <1>", None, datetime.datetime(1980, 1, 1)])
    number, values = rows[1]
    assert values[:3] == [1500.0, True, "#N/A"] and type(values[3]).__name__ == "Formula"
    assert rows[2] == (4, [])
    assert rows[3] == (5, ["a & b ệ", None, None])


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.xlsx")))
def test_corpus_reads_the_same_both_ways(name, settings):
    settings.IMPORT_MAX_BYTES = 512 * 1024
    scanned, parsed = both_ways((CORPUS / name).read_bytes())
    assert scanned == parsed


# --- writing: all or nothing, whichever batch fails --------------------------------------------


def three_new_households():
    return registry_file(
        [[f"VH-00{i}", "Thôn A", f"Chủ Hộ {i}", "", 40, ""] for i in (1, 2, 3)],
        [[f"VH-00{i}", f"Chủ Hộ {i}", "Nam", "", "Chủ hộ", "", ""] for i in (1, 2, 3)],
    )


def test_a_household_registered_while_the_import_writes_aborts_every_batch(
    commune, village_a, officer, monkeypatch
):
    """The code is free when compared, taken before the last batch is written (by a form in
    another request): the database refuses it, every batch is rolled back, and the message says
    what happened. On PostgreSQL the error is raised in the write thread."""
    original = HouseholdImport.write

    def write_in_batches_of_one(job):
        services.household_create(village=village_a, code="VH-003", head_name="Người Khác")
        original(job, batch=1)

    monkeypatch.setattr(HouseholdImport, "write", write_in_batches_of_one)
    before = every_table_count()
    report = run_households(three_new_households(), commune, officer)
    assert not report.committed
    assert "trùng mã hộ hoặc số CCCD" in report.file_error
    assert every_table_count() == before
    assert not Household.objects.exists()
    # The connection is usable afterwards, and an import without the conflict goes through.
    monkeypatch.setattr(HouseholdImport, "write", lambda job: original(job, batch=1))
    assert run_households(three_new_households(), commune, officer).committed
    assert Household.objects.count() == 3 and Member.objects.count() == 3


def test_the_commit_reports_households_stored_batch_by_batch(
    client, commune, village_a, officer, uploads, monkeypatch
):
    original = HouseholdImport.write
    monkeypatch.setattr(HouseholdImport, "write", lambda job: original(job, batch=1))
    seen = []
    job = HouseholdImport(
        commune=commune,
        user=officer,
        source=three_new_households(),
        write_progress=lambda done, total: seen.append((done, total)),
    )
    assert job.run(commit=True).committed
    assert seen == [(1, 3), (2, 3), (3, 3)]  # on PostgreSQL, heard from the write thread
    # The page polling the status shows it.
    client.force_login(officer)
    token = client.get("/imports/").context["token"]
    batch = ImportBatch.objects.get(token=stored(upload(client, commune, good_registry())))
    batch.progress = {"done": False, "rows": 2, "total": 3, "writing": True}
    batch.save()
    assert "Đang ghi: 2 / 3 hộ mới…" in client.get(f"/imports/{token}/status/").text
    batch.progress = {"done": False, "rows": 0, "total": 0, "confirming": True}
    batch.save()
    assert "Đang so sánh với sổ hộ hiện tại…" in client.get(f"/imports/{token}/status/").text


def test_new_household_values_take_only_the_imports_fields(commune, village_a):
    member = {"full_name": "Một", "sex": "M", "relation_to_head": "head"}
    with pytest.raises(TypeError):
        bulkregistry.registry_import(
            commune=commune,
            new_households=[
                bulkregistry.NewHousehold(
                    village_a.pk, {"code": "VH-1", "head_name": "Một", "version": 7}, [member]
                )
            ],
        )
    assert not Household.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the import lock is PostgreSQL's")
def test_a_commit_holds_the_communes_import_lock_while_it_writes(
    commune, village_a, officer, monkeypatch
):
    from imports import importer

    held = []
    original = HouseholdImport.write

    def write(job):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
                "AND objid = %s AND pid = pg_backend_pid() AND granted",
                [importer.IMPORT_LOCK, commune.pk],
            )
            held.append(cursor.fetchone()[0])
        original(job)

    monkeypatch.setattr(HouseholdImport, "write", write)
    assert run_households(three_new_households(), commune, officer).committed
    assert held == [1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the write thread is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_an_interrupted_import_leaves_no_batch_written_behind_it(commune, village_a, monkeypatch):
    """Ctrl-C (or a web worker's timeout) while the importing thread waits for the write thread:
    the queued batches must not run after the transaction is rolled back, when the connection is
    back in autocommit and each statement would stay written."""
    import threading
    import time

    slow_submit = copywriter._Pipeline.submit

    def submit(pipeline, job):
        def slow(cursor):
            time.sleep(0.3)
            job(cursor)

        slow_submit(pipeline, slow)

    monkeypatch.setattr(copywriter._Pipeline, "submit", submit)
    original_join = threading.Thread.join
    interrupted = []

    def join(thread, timeout=None):
        if thread.name == "registry-writer" and not interrupted:
            interrupted.append(True)
            raise KeyboardInterrupt
        return original_join(thread, timeout)

    monkeypatch.setattr(threading.Thread, "join", join)
    member = {"full_name": "Một", "sex": "M", "relation_to_head": "head"}
    items = [
        bulkregistry.NewHousehold(village_a.pk, {"code": f"VH-{i}", "head_name": "Một"}, [member])
        for i in range(4)
    ]
    with pytest.raises(KeyboardInterrupt):
        bulkregistry.registry_import(commune=commune, new_households=items, batch_size=1)
    time.sleep(1.5)  # time enough for every queued batch, had any been left to run
    assert interrupted and Household.objects.count() == 0 and Member.objects.count() == 0
    assert Household.history.count() == 0


def test_the_service_refuses_a_bad_value_in_a_later_batch_and_writes_nothing(commune, village_a):
    from django.core.exceptions import ValidationError

    def household(code, head):
        member = {"full_name": head, "sex": "M", "relation_to_head": "head"}
        return bulkregistry.NewHousehold(village_a.pk, {"code": code, "head_name": head}, [member])

    before = every_table_count()
    with pytest.raises(ValidationError) as raised:
        bulkregistry.registry_import(
            commune=commune,
            new_households=[household("VH-001", "Một"), household("VH-002", "")],
            batch_size=1,
        )
    assert "VH-002" in " ".join(raised.value.messages)
    assert every_table_count() == before


# --- PostgreSQL: the COPY writer stores what the ORM path stores -----------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY writer is PostgreSQL's")
def test_copy_writer_stores_the_same_rows_and_history_as_the_orm(
    commune, village_a, other_commune, other_village, administrator, monkeypatch
):
    from households.models import Household as H

    def rows(village_name):
        return registry_file(
            [
                ["VH-001", village_name, "Nguyễn Văn Đức", "Tày", 45.5, "Bán kiên cố"],
                ["VH-002", village_name, "Lục\tThị Hoa", "", None, ""],
            ],
            [
                ["VH-001", "Nguyễn Văn Đức", "Nam", "05/09/1980", "Chủ hộ", "", "có"],
                ["VH-001", "Trẻ \\ Nhỏ", "Nữ", "", "Con", "", ""],
                ["VH-002", "Lục\tThị Hoa", "Nữ", "01/01/1970", "Chủ hộ", "", ""],
            ],
        )

    copied = []
    original = copywriter._copy_sql
    monkeypatch.setattr(
        copywriter, "_copy_sql", lambda table, *a: copied.append(table) or original(table, *a)
    )
    assert run_households(rows("Thôn A"), commune, administrator).committed
    assert copied == ["households_household", "households_member"]  # history: INSERT … SELECT
    monkeypatch.setattr(copywriter, "_copy_columns", lambda model: None)  # force the ORM
    assert run_households(rows("Thôn Xa"), other_commune, administrator).committed

    def stored(place):
        fields = [*bulkregistry.HOUSEHOLD_IMPORT_FIELDS, "is_sample", "version", "search_text"]
        fields.append("head_sort")
        households = list(H.objects.filter(commune=place).order_by("code").values(*fields))
        members = list(
            Member.objects.filter(household__commune=place)
            .order_by("household__code", "full_name")
            .values("household__code", *bulkregistry.MEMBER_IMPORT_FIELDS)
        )
        history = list(
            H.history.filter(commune_id=place.pk)
            .order_by("code")
            .values(
                *bulkregistry.HOUSEHOLD_IMPORT_FIELDS,
                "version",
                "history_type",
                "history_user",
                "history_change_reason",
            )
        )
        member_history = list(
            Member.history.filter(household__commune=place)
            .order_by("full_name")
            .values(*bulkregistry.MEMBER_IMPORT_FIELDS, "history_type", "history_user")
        )
        return households, members, history, member_history

    assert stored(commune) == stored(other_commune)
    assert (
        H.history.filter(commune_id=commune.pk)
        .first()
        .history_change_reason.startswith("Nhập từ Excel")
    )
    assert H.objects.filter(commune=commune).exclude(created_at__isnull=False).count() == 0
    # The ids came from the table's own sequence: the next ordinary insert does not collide.
    services.household_create(village=village_a, code="VH-003", head_name="Sau Cùng")


SST = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4">{}</sst>'


@pytest.mark.parametrize(
    "entries",
    [
        "<si><t>Mã hộ</t></si><si><t>a &amp; b &lt;c&gt; &#x1EC7;</t></si><si><t>x</t></si>",
        '<si><t xml:space="preserve">  hai khoảng  </t></si><si><t>dòng\r\nhai</t></si>',
        "<si><t>_x005F_x000D_</t></si><si><t></t></si>",
        "<si><t>thường</t></si><si><r><t>Chủ </t></r><r><rPr><b/></rPr><t>hộ</t></r></si>",
        "<si><t/></si><si><t>sau</t></si>",
        '<si><t>có</t><rPh sb="0" eb="1"><t>ko</t></rPh></si>',
    ],
)
def test_shared_strings_read_as_openpyxl_reads_them(entries):
    from openpyxl.reader.strings import read_string_table

    from imports.reader import _shared_strings

    data = SST.format(entries).encode()
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("xl/sharedStrings.xml", data)
    with zipfile.ZipFile(packed) as archive:
        found = _shared_strings(archive, "xl/sharedStrings.xml")
    assert found == read_string_table(io.BytesIO(data))
