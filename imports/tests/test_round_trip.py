"""The Excel round trip of a review (issue 15, item 7): the results template pre-filled with the
households and last year's answers, a commit of only the valid rows with the rejected rows to
download and import again, spreadsheets set to another language (Vietnamese number formats, dates
as text, warnings that need a choice), and the shell's dry run listing each change."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from households import services
from households.models import Assessment, Household, Member, ReviewCycle
from households.tests.factories import HouseholdFactory, MemberFactory, ReviewCycleFactory
from imports import exports
from imports.models import ImportBatch
from imports.registry import HouseholdImport
from imports.results import AssessmentImport
from imports.tests.test_imports import INDICATORS, xlsx

pytestmark = pytest.mark.django_db

HEADER = ["Mã hộ", "Thu nhập bình quân (đồng/người/tháng)", "Điểm B1", *INDICATORS]


@pytest.fixture
def last_year(commune):
    return ReviewCycleFactory(commune=commune, year=2023)


@pytest.fixture
def cycle(commune, last_year):
    return ReviewCycleFactory(commune=commune, year=2024)


@pytest.fixture
def homes(village_a, village_b, last_year):
    """Three households of village A and two of village B, each with two members; the first
    of each village decided last year (the A one poor by income, deprived in 2.2 and 4.1), and
    one of village A left the registry before this year's reference date."""
    made = []
    for village, prefix, count in ((village_a, "A", 3), (village_b, "B", 2)):
        for n in range(1, count + 1):
            home = HouseholdFactory(village=village, code=f"{prefix}-{n:02d}", head_name=f"Chủ {n}")
            MemberFactory(household=home)
            MemberFactory(household=home, relation_to_head=Member.Relation.CHILD)
            made.append(home)
    services.assessment_record(
        cycle=last_year, household=made[0], income_per_capita=1_100_000, deprived=["2.2", "4.1"]
    )
    services.assessment_record(cycle=last_year, household=made[3], b1_score=130)
    ReviewCycle.objects.filter(pk=last_year.pk).update(status=ReviewCycle.Status.FINALISED)
    Household.objects.filter(code="A-03").update(left_registry_on=datetime.date(2024, 6, 1))
    return made


def sheet_rows(content: bytes, title="Kết quả rà soát"):
    ws = openpyxl.load_workbook(io.BytesIO(content))[title]
    return ws, [[c.value for c in row] for row in ws.iter_rows(min_row=2)]


# --- 1. the template, pre-filled ------------------------------------------------------------


def test_the_template_lists_the_registry_with_last_years_answers(cycle, homes, officer):
    content = exports.assessment_template(cycle, exports.template_scope(officer, cycle.commune))
    ws, rows = sheet_rows(content)
    header = [c.value for c in ws[1]]
    assert header[:6] == [
        "Mã hộ",
        "Chủ hộ",
        "Thôn",
        "Số nhân khẩu",
        "Thu nhập bình quân (đồng/người/tháng)",
        "Điểm B1",
    ]
    assert [r[0] for r in rows] == ["A-01", "A-02", "B-01", "B-02"]  # A-03 left the registry
    first = dict(zip(header, rows[0], strict=True))
    assert (first["Chủ hộ"], first["Thôn"]) == ("Chủ 1", "Thôn A")
    assert first["Thu nhập bình quân (đồng/người/tháng)"] == 1_100_000
    assert first[first_header(header, "2.2")] == "có"
    assert (
        first[first_header(header, "4.1")] == "có" and first[first_header(header, "1.1")] == "không"
    )
    assert dict(zip(header, rows[2], strict=True))["Điểm B1"] == 130
    assert rows[1][4] is None and rows[1][6] is None  # no decided result: left to fill in
    # Money is tagged with the Vietnamese locale, so "850.000" typed in an English spreadsheet
    # is 850000; the written cell carries the format as well as its column.
    assert ws["E2"].number_format == "[$-42A]#,##0"
    assert ws.column_dimensions["E"].number_format == "[$-42A]#,##0"
    assert ws["D2"].number_format == "[$-42A]0" or ws.column_dimensions["D"].number_format == (
        "[$-42A]0"
    )


def first_header(header, code):
    return next(h for h in header if h and h.startswith(code + " "))


def test_a_board_gets_its_village_and_an_officer_one_village_on_request(
    client, cycle, homes, board_a, officer, village_b
):
    client.force_login(board_a)
    response = client.get(f"/imports/template/results/{cycle.pk}/")
    assert response.status_code == 200
    _ws, rows = sheet_rows(b"".join(response.streaming_content))
    assert [r[0] for r in rows] == ["A-01", "A-02"]
    assert (
        client.get(f"/imports/template/results/{cycle.pk}/?village={village_b.pk}").status_code
        == 404
    )

    client.force_login(officer)
    page = client.get("/imports/")
    assert f'action="/imports/template/results/{cycle.pk}/"' in page.text
    response = client.get(f"/imports/template/results/{cycle.pk}/?village={village_b.pk}")
    _ws, rows = sheet_rows(b"".join(response.streaming_content))
    assert [r[0] for r in rows] == ["B-01", "B-02"]


def test_the_shell_writes_the_same_template(cycle, homes, commune, tmp_path, capsys):
    out = tmp_path / "mau.xlsx"
    call_command(
        "results_template",
        "--commune",
        commune.code,
        "--year",
        "2024",
        "--output",
        str(out),
        "--village",
        "Thôn B",
    )
    _ws, rows = sheet_rows(out.read_bytes())
    assert [r[0] for r in rows] == ["B-01", "B-02"]
    assert "2 hộ" in capsys.readouterr().out


def test_the_prefilled_template_imports_back_as_last_years_answers(cycle, homes, officer):
    content = exports.assessment_template(cycle, exports.template_scope(officer, cycle.commune))
    source = io.BytesIO(content)
    report = AssessmentImport(cycle=cycle, user=officer, source=source).run(commit=True)
    # A-02 and B-02 have no earlier result: no income and no B1, refused on their rows.
    assert {i.row for i in report.issues} == {3, 5} and not report.committed
    report = AssessmentImport(cycle=cycle, user=officer, source=io.BytesIO(content)).run(
        commit=True, valid_only=True
    )
    assert report.committed and report.partial
    written = {a.household.code: a for a in Assessment.objects.filter(cycle=cycle)}
    assert set(written) == {"A-01", "B-01"}
    assert written["A-01"].income_per_capita == 1_100_000
    assert sorted(written["A-01"].deprivations.values_list("indicator__code", flat=True)) == [
        "2.2",
        "4.1",
    ]


# --- 2. only the valid rows, and the rejected rows to fix -----------------------------------


@pytest.fixture
def ten(village_a):
    for n in range(1, 11):
        home = HouseholdFactory(village=village_a, code=f"T-{n:02d}")
        MemberFactory(household=home)


def ten_rows(bad=True):
    rows = [HEADER]
    for n in range(1, 11):
        income = 1_500_000 + n
        if bad and n == 4:
            income = "nhiều"  # not a number
        if bad and n == 7:
            income = 10**30  # more than the column holds
        rows.append([f"T-{n:02d}", income, None, *[""] * 12])
    source = xlsx({"Kết quả rà soát": rows})
    source.name = "ket-qua.xlsx"
    return source


def upload(client, cycle, source):
    token = client.get("/imports/").context["token"]
    return client.post(
        "/imports/upload/assessments/",
        {"cycle": cycle.pk, "file": source, "token": token},
        follow=True,  # the batch's page, once its preview job has run
    )


def test_two_bad_rows_of_ten_commit_valid_only_then_the_fixed_rejects(client, cycle, ten, officer):
    client.force_login(officer)
    preview = upload(client, cycle, ten_rows())
    assert preview.status_code == 200
    token = preview.context["token"]
    assert "Chỉ nhập các dòng hợp lệ (8 dòng)" in preview.text
    assert "Xác nhận nhập" not in preview.text
    # The default confirm writes nothing: only the explicit choice writes the valid rows.
    again = client.post(f"/imports/{token}/confirm/", follow=True)
    assert again.status_code == 200 and not Assessment.objects.exists()
    assert again.request["PATH_INFO"] == f"/imports/{token}/"  # the preview again

    done = client.post(f"/imports/{token}/confirm/", {"valid_only": "1"}, follow=True)
    assert done.redirect_chain[-1][0] == f"/imports/?rejected={token}"
    assert Assessment.objects.filter(cycle=cycle).count() == 8
    assert not Assessment.objects.filter(household__code__in=["T-04", "T-07"]).exists()
    assert ImportBatch.objects.get(token=token).status == "confirmed"
    assert "Tải các dòng lỗi" in done.text

    rejected = client.get(f"/imports/{token}/rejected/")
    assert rejected.status_code == 200
    ws, rows = sheet_rows(b"".join(rejected.streaming_content))
    header = [c.value for c in ws[1]]
    assert header[-1] == "Lỗi cần sửa" and header[:3] == ["Mã hộ", "Chủ hộ", "Thôn"]
    assert [r[0] for r in rows] == ["T-04", "T-07"]
    assert "“nhiều” không phải là một số" in rows[0][-1]
    assert ";" not in rows[0][-1]  # one problem: no classification without the refused income
    assert "lớn hơn mức tối đa 1.000.000.000" in rows[1][-1]
    assert rows[0][4] == "nhiều"

    # Fixed in the file itself, and imported again: the error column is ignored.
    wb = openpyxl.load_workbook(
        io.BytesIO(b"".join(client.get(f"/imports/{token}/rejected/").streaming_content))
    )
    sheet = wb["Kết quả rà soát"]
    sheet["E2"], sheet["E3"] = "900.000", 2_000_000
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "dong-loi.xlsx"
    preview = upload(client, cycle, buffer)
    assert not preview.context["report"].issues
    assert preview.context["report"].counts["new"] == 2
    client.post(f"/imports/{preview.context['token']}/confirm/")
    assert Assessment.objects.filter(cycle=cycle).count() == 10
    assert Assessment.objects.get(household__code="T-04").income_per_capita == 900_000


def test_the_rejected_rows_are_the_uploaders_only(client, cycle, ten, officer, board_a):
    client.force_login(officer)
    token = upload(client, cycle, ten_rows()).context["token"]
    client.force_login(board_a)
    assert client.get(f"/imports/{token}/rejected/").status_code == 404


def test_the_registry_import_stays_all_or_nothing(commune, village_a, officer):
    source = xlsx(
        {
            "Hộ gia đình": [
                ["Mã hộ", "Thôn", "Chủ hộ"],
                ["N-1", "Thôn A", "Hộ Một"],
                ["N-2", "Thôn Z", "Hộ Hai"],
            ],
            "Thành viên": [
                ["Mã hộ", "Họ và tên", "Giới tính", "Quan hệ với chủ hộ"],
                ["N-1", "Hộ Một", "Nam", "Chủ hộ"],
                ["N-2", "Hộ Hai", "Nam", "Chủ hộ"],
            ],
        }
    )
    report = HouseholdImport(commune=commune, user=officer, source=source).run(
        commit=True, valid_only=True
    )
    assert report.issues and not report.committed and not Household.objects.exists()


def test_the_shell_commits_valid_only_on_request_and_writes_the_rejects(
    cycle, ten, commune, tmp_path, capsys
):
    path = tmp_path / "kq.xlsx"
    path.write_bytes(ten_rows().getvalue())
    with pytest.raises(CommandError):
        call_command("import_assessments", str(path), "--commune", commune.code, "--year", "2024")
    assert not Assessment.objects.exists()
    out = tmp_path / "loi.xlsx"
    call_command(
        "import_assessments",
        str(path),
        "--commune",
        commune.code,
        "--year",
        "2024",
        "--valid-only",
        "--rejected",
        str(out),
    )
    assert Assessment.objects.count() == 8
    _ws, rows = sheet_rows(out.read_bytes())
    assert [r[0] for r in rows] == ["T-04", "T-07"]


# --- 4. spreadsheets set to another language ------------------------------------------------


def test_a_date_text_cell_is_day_first_and_a_date_cell_still_reads(commune, village_a, officer):
    source = xlsx(
        {
            "Hộ gia đình": [["Mã hộ", "Thôn", "Chủ hộ"], ["N-1", "Thôn A", "Hộ Một"]],
            "Thành viên": [
                ["Mã hộ", "Họ và tên", "Giới tính", "Ngày sinh", "Quan hệ với chủ hộ"],
                ["N-1", "Hộ Một", "Nam", "05/09/1980", "Chủ hộ"],
                ["N-1", "Con Một", "Nữ", datetime.datetime(2010, 2, 3), "Con"],
            ],
        }
    )
    report = HouseholdImport(commune=commune, user=officer, source=source).run(commit=True)
    assert report.committed, report.issues
    born = dict(Member.objects.values_list("full_name", "date_of_birth"))
    assert born == {"Hộ Một": datetime.date(1980, 9, 5), "Con Một": datetime.date(2010, 2, 3)}


def test_the_registry_template_has_text_date_columns(commune, village_a):
    ws = openpyxl.load_workbook(io.BytesIO(exports.household_template(commune)))["Thành viên"]
    column = next(c.column_letter for c in ws[1] if c.value == "Ngày sinh")
    assert ws.column_dimensions[column].number_format == "@"


@pytest.fixture
def t1(village_a):
    home = HouseholdFactory(village=village_a, code="T-01")
    MemberFactory(
        household=home,
        full_name="Lục Văn Hùng",
        citizen_id="002080000009",
        date_of_birth=datetime.date(1980, 9, 5),
    )
    return home


def test_an_implausible_income_is_a_warning_not_written_without_the_choice(
    client, cycle, t1, officer
):
    source = xlsx({"Kết quả rà soát": [HEADER, ["T-01", 850, None, *[""] * 12]]})
    source.name = "kq.xlsx"
    client.force_login(officer)
    preview = upload(client, cycle, source)
    report = preview.context["report"]
    assert report.ok and len(report.warnings) == 1
    assert "850 đồng/người/tháng nằm ngoài khoảng thường gặp 100.000–50.000.000" in preview.text
    assert 'name="accept_warnings"' in preview.text
    token = preview.context["token"]
    refused = client.post(f"/imports/{token}/confirm/", follow=True)
    assert refused.status_code == 200 and "Chưa nhập gì: 1 dòng có cảnh báo" in refused.text
    assert not Assessment.objects.exists()
    done = client.post(f"/imports/{token}/confirm/", {"accept_warnings": "1"}, follow=True)
    assert done.request["PATH_INFO"] == "/imports/" and "Đã nhập" in done.text
    assert Assessment.objects.get().income_per_capita == 850


def test_the_shell_needs_accept_warnings(cycle, t1, commune, tmp_path, capsys):
    path = tmp_path / "kq.xlsx"
    path.write_bytes(
        xlsx({"Kết quả rà soát": [HEADER, ["T-01", 60_000_000, None, *[""] * 12]]}).getvalue()
    )
    args = ("import_assessments", str(path), "--commune", commune.code, "--year", "2024")
    with pytest.raises(CommandError, match="--accept-warnings"):
        call_command(*args)
    assert "Cảnh báo" in capsys.readouterr().err and not Assessment.objects.exists()
    call_command(*args, "--accept-warnings")
    assert Assessment.objects.get().income_per_capita == 60_000_000


def test_a_birth_date_with_day_and_month_swapped_is_a_warning(commune, t1, officer):
    def members(born):
        return xlsx(
            {
                "Hộ gia đình": [["Mã hộ", "Thôn", "Chủ hộ"], ["T-01", "Thôn A", "Lục Văn Hùng"]],
                "Thành viên": [
                    [
                        "Mã hộ",
                        "Họ và tên",
                        "Giới tính",
                        "Ngày sinh",
                        "Quan hệ với chủ hộ",
                        "Số CCCD",
                    ],
                    ["T-01", "Lục Văn Hùng", "Nam", born, "Chủ hộ", "002080000009"],
                ],
            }
        )

    # Read as 9 May by a spreadsheet set to English: the registry has 5 September.
    report = HouseholdImport(commune=commune, user=officer, source=members("09/05/1980")).run(
        commit=True
    )
    assert report.ok and report.warnings_refused and not report.committed
    assert "đảo ngày và tháng so với sổ hộ (05/09/1980)" in report.warnings[0].message
    assert Member.objects.get().date_of_birth == datetime.date(1980, 9, 5)
    report = HouseholdImport(commune=commune, user=officer, source=members("09/05/1980")).run(
        commit=True, accept_warnings=True
    )
    assert report.committed and Member.objects.get().date_of_birth == datetime.date(1980, 5, 9)
    # The same date as the registry: no warning.
    report = HouseholdImport(commune=commune, user=officer, source=members("09/05/1980")).run()
    assert not report.warnings


# --- 5. the dry run lists every change ------------------------------------------------------


def test_the_dry_run_lists_rows_and_fields_old_to_new(cycle, t1, commune, tmp_path, capsys):
    services.assessment_record(
        cycle=cycle, household=t1, income_per_capita=1_200_000, deprived=["2.2"]
    )
    home = HouseholdFactory(village=t1.village, code="T-02")
    MemberFactory(household=home)
    flags = {"2.2": "", "4.1": "x"}
    path = tmp_path / "kq.xlsx"
    path.write_bytes(
        xlsx(
            {
                "Kết quả rà soát": [
                    HEADER,
                    ["T-01", 1_500_000, None, *[flags.get(c, "") for c in INDICATORS]],
                    ["T-02", 2_000_000, None, *[""] * 12],
                ]
            }
        ).getvalue()
    )
    call_command(
        "import_assessments", str(path), "--commune", commune.code, "--year", "2024", "--dry-run"
    )
    out = capsys.readouterr().out
    assert (
        "Dòng 2 · T-01 (cập nhật): Thu nhập bình quân (đồng/người/tháng): 1.200.000 → 1.500.000; "
        "Chỉ số thiếu hụt: 2.2 → 4.1" in out
    )
    assert "Dòng 3 · T-02 (mới): Thu nhập bình quân (đồng/người/tháng): – → 2.000.000" in out
    assert "không ghi gì" in out
    assert Assessment.objects.get(household=t1).income_per_capita == 1_200_000


def test_the_registry_dry_run_lists_fields_old_to_new(commune, t1, tmp_path, capsys):
    path = tmp_path / "ho.xlsx"
    path.write_bytes(
        xlsx(
            {"Hộ gia đình": [["Mã hộ", "Thôn", "Chủ hộ"], ["T-01", "Thôn A", "Lục Thị Mai"]]}
        ).getvalue()
    )
    call_command("import_households", str(path), "--commune", commune.code, "--dry-run")
    out = capsys.readouterr().out
    assert "Dòng 2 · T-01 (cập nhật): Chủ hộ: Nguyễn Văn Đức → Lục Thị Mai" in out


def test_the_template_download_runs_a_bounded_number_of_queries(
    client, cycle, homes, officer, django_assert_max_num_queries
):
    client.force_login(officer)
    with django_assert_max_num_queries(20):
        response = client.get(f"/imports/template/results/{cycle.pk}/")
        content = b"".join(response.streaming_content)
    assert len(sheet_rows(content)[1]) == 4


def test_the_cycle_page_links_to_the_prefilled_template(client, cycle, homes, officer, viewer):
    from django.urls import reverse

    client.force_login(officer)
    html = client.get(reverse("cycle_detail", args=[cycle.pk])).text
    assert f'href="/imports/template/results/{cycle.pk}/"' in html
    client.force_login(viewer)  # may not import: no link
    html = client.get(reverse("cycle_detail", args=[cycle.pk])).text
    assert "excel-round-trip" not in html


def test_the_dry_run_masks_citizen_ids_and_names_choices(commune, t1, tmp_path, capsys):
    """The old → new list never shows a citizen ID in full (only the logged reveal does) and
    shows a choice by its label, not its code."""
    path = tmp_path / "ho.xlsx"
    header = ["Mã hộ", "Họ và tên", "Giới tính", "Ngày sinh", "Quan hệ với chủ hộ", "Số CCCD"]
    path.write_bytes(
        xlsx(
            {
                "Hộ gia đình": [["Mã hộ", "Thôn", "Chủ hộ"], ["T-01", "Thôn A", "Lục Văn Hùng"]],
                "Thành viên": [
                    header,
                    ["T-01", "Lục Văn Hùng", "Nữ", "05/09/1980", "Chủ hộ", "002080000077"],
                ],
            }
        ).getvalue()
    )
    call_command("import_households", str(path), "--commune", commune.code, "--dry-run")
    out = capsys.readouterr().out
    assert "002080000009" not in out and "002080000077" not in out
    assert "0020******09 → 0020******77" in out
    assert "Nam → Nữ" in out
