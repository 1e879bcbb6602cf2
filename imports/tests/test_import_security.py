"""What an import, the household form and the review form tell about people outside the user's
scope (nothing), and the limits that keep a file or a number from breaking them."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from households import services
from households.models import Assessment, Member
from households.tests.factories import HouseholdFactory, MemberFactory, ReviewCycleFactory
from imports.limits import ImportFileError
from imports.reader import _Budget, _Unpacking
from imports.registry import HouseholdImport
from imports.tests.test_imports import (
    A,
    every_table_count,
    messages,
    registry_file,
    upload,
    xlsx,
)

pytestmark = pytest.mark.django_db

HELD_ELSEWHERE = "không cho biết số nào hay của ai"


@pytest.fixture
def holders(village_a, village_b, other_village):
    """One citizen ID held in each place: Thôn A, Thôn B (same commune), another commune."""
    places = {"a": village_a, "b": village_b, "far": other_village}
    found = {}
    for n, (key, village) in enumerate(places.items(), start=1):
        home = HouseholdFactory(village=village, code=f"H-{key}", head_name=f"Chủ {key}")
        MemberFactory(household=home, full_name=f"Người Giữ {key}", citizen_id=f"00208000010{n}")
        found[key] = f"00208000010{n}"
    return found


def new_member_file(citizen_id: str):
    return registry_file(
        [["VH-001", "Thôn A", "Lò Văn Mới", "", None, ""]],
        [["VH-001", "Lò Văn Mới", "Nam", "", "Chủ hộ", citizen_id, ""]],
    )


def preview(commune, user, citizen_id):
    report = HouseholdImport(commune=commune, user=user, source=new_member_file(citizen_id)).run()
    return report.issues, report.counts, report.member_counts, report.file_error, report.outcome()


# --- item 1: citizen IDs held outside the scope -------------------------------------------------


@pytest.mark.parametrize("place", ["b", "far"])
def test_a_board_preview_of_a_citizen_id_held_elsewhere_is_that_of_a_free_one(
    place, commune, board_a, holders
):
    # Held in Thôn B or in another commune: outside board A's villages.
    assert preview(commune, board_a, holders[place]) == preview(commune, board_a, "002080009999")


def test_an_officer_preview_of_a_citizen_id_held_in_another_commune_is_that_of_a_free_one(
    commune, officer, holders
):
    assert preview(commune, officer, holders["far"]) == preview(commune, officer, "002080009999")


def test_a_citizen_id_held_in_scope_names_the_household_and_village(commune, officer, holders):
    issues, *_rest = preview(commune, officer, holders["b"])
    assert "đã thuộc về “Người Giữ b” của hộ H-b (Thôn B)" in issues[0].message


@pytest.mark.parametrize(("persona", "place"), [("board_a", "b"), ("officer", "far")])
def test_writing_a_citizen_id_held_elsewhere_is_refused_naming_no_one(
    persona, place, request, commune, holders
):
    user = request.getfixturevalue(persona)
    before = every_table_count()
    report = HouseholdImport(commune=commune, user=user, source=new_member_file(holders[place]))
    report = report.run(commit=True)
    assert not report.committed and HELD_ELSEWHERE in report.file_error
    for secret in (holders[place], f"Người Giữ {place}", f"H-{place}", "Thôn B", "Xã Khác"):
        assert secret not in messages(report)
    assert every_table_count() == before


def test_the_command_scope_is_the_commune_given(commune, holders, tmp_path):
    path = tmp_path / "ho.xlsx"
    path.write_bytes(new_member_file(holders["far"]).getvalue())
    out = io.StringIO()
    call_command("import_households", str(path), "--commune", "01090", "--dry-run", stdout=out)
    assert "Dòng mới: 1" in out.getvalue()  # the dry run: as for a free number
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_households", str(path), "--commune", "01090", stderr=err)
    assert HELD_ELSEWHERE in err.getvalue() and "Xã Khác" not in err.getvalue()
    assert not Member.objects.filter(full_name="Lò Văn Mới").exists()
    # Held in another village of the same commune: inside the command's scope, named.
    path.write_bytes(new_member_file(holders["b"]).getvalue())
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_households", str(path), "--commune", "01090", stderr=err)
    assert "Người Giữ b" in err.getvalue()


def test_the_web_preview_shows_nothing_and_the_confirm_names_no_one(
    client, commune, board_a, holders, settings, tmp_path
):
    settings.IMPORT_UPLOAD_DIR = tmp_path
    client.force_login(board_a)
    source = new_member_file(holders["far"])
    source.name = "ho.xlsx"
    shown = upload(client, commune, source)
    assert shown.context["report"].ok and "Người Giữ" not in shown.text
    done = client.post(f"/imports/{shown.context['token']}/confirm/", follow=True)
    assert done.status_code == 200 and HELD_ELSEWHERE in done.text
    assert "Người Giữ" not in done.text and "H-far" not in done.text


def household_form(village, citizen_id):
    return {
        "village": village.pk,
        "code": "VH-NEW",
        "head_name": "Lò Văn Mới",
        "member_count": 1,
        "members-TOTAL_FORMS": 1,
        "members-INITIAL_FORMS": 0,
        "members-0-full_name": "Lò Văn Mới",
        "members-0-sex": "M",
        "members-0-relation_to_head": "head",
        "members-0-citizen_id": citizen_id,
    }


@pytest.mark.parametrize("place", ["b", "far"])
def test_the_household_form_names_no_one_outside_the_village(
    place, client, board_a, village_a, holders
):
    client.force_login(board_a)
    before = every_table_count()
    page = client.post(reverse("household_create"), household_form(village_a, holders[place]))
    assert page.status_code == 200
    assert services.citizen_id_unavailable_message() in page.text
    assert f"Người Giữ {place}" not in page.text and f"H-{place}" not in page.text
    assert every_table_count() == before


def test_the_household_form_names_a_holder_of_the_same_village(client, board_a, village_a, holders):
    client.force_login(board_a)
    page = client.post(reverse("household_create"), household_form(village_a, holders["a"]))
    assert "đã thuộc về “Người Giữ a” của hộ H-a" in page.text


def test_the_household_form_saves_a_free_citizen_id(client, board_a, village_a, holders):
    client.force_login(board_a)
    page = client.post(reverse("household_create"), household_form(village_a, "002080009999"))
    assert page.status_code == 302
    assert Member.objects.filter(citizen_id="002080009999").exists()


# --- item 7: numbers the columns cannot hold ----------------------------------------------------


@pytest.fixture
def cycle(commune):
    return ReviewCycleFactory(commune=commune, year=2023)


def test_an_income_of_ten_to_the_thirty_is_refused_in_the_preview(cycle, village_a, officer):
    home = HouseholdFactory(village=village_a, code="T-0001")
    MemberFactory(household=home)
    from imports.results import AssessmentImport

    source = xlsx({"Kết quả rà soát": [A, ["T-0001", 10**30, None, *[""] * 12]]})
    report = AssessmentImport(cycle=cycle, user=officer, source=source).run(commit=True)
    assert "lớn hơn mức tối đa 1.000.000.000" in messages(report)
    assert not Assessment.objects.exists()


def test_a_b1_score_over_the_setting_is_refused(cycle, village_a, officer, settings):
    settings.B1_SCORE_MAX = 300
    home = HouseholdFactory(village=village_a, code="T-0001")
    MemberFactory(household=home)
    from imports.results import AssessmentImport

    source = xlsx({"Kết quả rà soát": [A, ["T-0001", None, 301, *[""] * 12]]})
    report = AssessmentImport(cycle=cycle, user=officer, source=source).run()
    assert "301 lớn hơn mức tối đa 300" in messages(report)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("income_per_capita", "1" + "0" * 30, "1000000000"), ("b1_score", "40000", "1000")],
)
def test_the_review_form_refuses_numbers_the_database_cannot_hold(
    field, value, message, client, officer, village_a, cycle
):
    home = HouseholdFactory(village=village_a)
    MemberFactory(household=home)
    client.force_login(officer)
    url = reverse("review_entry", args=[home.pk, cycle.pk])
    page = client.post(url, {"income_per_capita": "1000000", "b1_score": "", field: value})
    assert page.status_code == 200 and not Assessment.objects.exists()
    assert message in page.text.replace(".", "").replace("\u202f", "").replace(" ", "")


def test_the_household_form_refuses_huge_counts_and_areas(client, officer, village_a):
    client.force_login(officer)
    data = household_form(village_a, "")
    page = client.post(
        reverse("household_create"), {**data, "member_count": 10**30, "floor_area_m2": "20000"}
    )
    assert page.status_code == 200
    # The member count is no longer typed (taken from the member rows): a huge one is ignored.
    assert "10.000 m²" in page.text and 'name="member_count"' not in page.text


def test_the_service_refuses_a_number_over_the_maximum(cycle, village_a):
    home = HouseholdFactory(village=village_a)
    MemberFactory(household=home)
    with pytest.raises(services.ValidationError, match="mức tối đa"):
        services.assessment_record(cycle=cycle, household=home, income_per_capita=10**30)


def test_the_command_refuses_an_impossible_year(commune, tmp_path):
    path = tmp_path / "kq.xlsx"
    path.write_bytes(b"x")
    with pytest.raises(CommandError, match="không hợp lệ"):
        call_command("import_assessments", str(path), "--commune", "01090", "--year", "10" * 15)


# --- item 7: unpacking --------------------------------------------------------------------------


def test_a_part_is_stopped_once_it_unpacks_past_its_limit_whatever_it_declares(settings):
    settings.IMPORT_MAX_UNPACKED_PART_BYTES = 1 << 20
    stream = _Unpacking(io.BytesIO(b"<a>" + b"<b/>" * (1 << 20)), "x.xml", _Budget(), 1 << 20)
    with pytest.raises(ImportFileError, match="giải nén ra hơn 1,0 MB"):
        while stream.read(1 << 16):
            pass


def test_parts_read_twice_count_once_and_all_parts_count_together(settings):
    settings.IMPORT_MAX_UNPACKED_TOTAL_BYTES = 3 << 20
    budget = _Budget()
    data = b"<a>" + b"<b/>" * (1 << 18)  # 1 MB
    for name in ("one", "one", "two"):
        _Unpacking(io.BytesIO(data), name, budget, 2 << 20).read()
    with pytest.raises(ImportFileError):
        _Unpacking(io.BytesIO(data * 2), "three", budget, 4 << 20).read()


@pytest.mark.parametrize(
    "xml",
    [
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>',
        b"<a><!--" + b"-> " * (1 << 20) + b"--></a>",
        b'<a b="' + b">" * (3 << 20) + b'"/>',
        b"<a>" + b"x" * (3 << 20) + b"</a>",
        b"<a>" + b"! ?" * 5000 + b"</a><!DOCTYPE a>",
    ],
)
def test_dtds_and_runs_no_spreadsheet_has_are_refused_in_any_chunking(xml):
    for size in (1, 7, 1 << 16):
        stream = _Unpacking(io.BytesIO(xml), "x.xml", _Budget(), 1 << 30)
        with pytest.raises(ImportFileError, match="XML mà bảng tính Excel không có"):
            while stream.read(size):
                pass


def test_ordinary_xml_passes_in_any_chunking():
    xml = (
        b'<?xml version="1.0"?><a><!-- x --><![CDATA[<b>]]><?pi x?>' + b"<c>t!?</c>" * 999 + b"</a>"
    )
    for size in (1, 3, 1 << 16):
        stream = _Unpacking(io.BytesIO(xml), "x.xml", _Budget(), 1 << 30)
        assert b"".join(iter(lambda: stream.read(size), b"")) == xml  # noqa: B023


def test_an_upload_over_the_limit_is_stopped_with_a_message(
    client, commune, village_a, officer, settings
):
    settings.IMPORT_MAX_BYTES = 100 * 1024
    client.force_login(officer)
    page = client.get("/imports/")
    big = io.BytesIO(b"PK\x03\x04" + bytes(400 * 1024))
    big.name = "lon.xlsx"
    done = client.post(
        "/imports/upload/households/",
        {"commune": commune.pk, "file": big, "token": page.context["token"]},
        follow=True,
    )
    assert done.status_code == 200 and "Tệp quá lớn" in done.text


def test_the_central_directory_is_checked_before_anything_is_unpacked(settings):
    settings.IMPORT_MAX_UNPACKED_PART_BYTES = 1 << 20
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", b" " * (2 << 20))
    from imports.reader import open_workbook

    with pytest.raises(ImportFileError, match="giải nén ra hơn 1,0 MB"):
        open_workbook(packed)


def test_a_large_ordinary_archive_passes_the_directory_check(settings):
    # 3 MB of incompressible data before the directory: its offset is no entry count.
    import os

    from imports.reader import _check_directory

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/media/image1.png", os.urandom(3 << 20))
        archive.writestr("[Content_Types].xml", "<Types/>")
    _check_directory(packed)
    settings.IMPORT_MAX_PARTS = 1
    with pytest.raises(ImportFileError, match="quá nhiều thành phần"):
        _check_directory(packed)
