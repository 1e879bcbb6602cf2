"""The official list of administrative units through the admin's import (django-import-export):
a new commune and its villages from one sheet, and a bad sheet refused whole."""

from pathlib import Path

import pytest
from django.conf import settings

from areas.models import Area
from core.tests.admin_import import confirm, sheet, upload

SAMPLE = Path(settings.BASE_DIR) / "fixtures" / "areas-new-commune-sample"
HEAD = "Mã,Tên,Cấp,Mã cấp trên,Hiệu lực từ,Thành thị\n"


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.mark.parametrize("extension", ["xlsx", "csv"])
def test_a_new_commune_and_its_villages_are_set_up_from_the_sample_sheet(
    admin_client, district, extension
):
    file = sheet(f"new-commune.{extension}", SAMPLE.with_suffix(f".{extension}").read_bytes())
    preview = upload(admin_client, Area, file)
    assert preview.status_code == 200
    assert preview.context["result"].totals["new"] == 4
    assert not Area.objects.filter(code="01099").exists()  # the preview writes nothing

    done = confirm(admin_client, Area, preview)

    assert done.status_code == 302
    commune = Area.objects.get(code="01099")
    assert commune.kind == Area.Kind.COMMUNE
    assert commune.parent == district
    assert commune.path == f"{district.path}{commune.pk}/"
    villages = commune.children.order_by("code")
    assert [v.code for v in villages] == ["01099-01", "01099-02", "01099-03"]
    assert {v.kind for v in villages} == {Area.Kind.VILLAGE}
    assert all(v.path == f"{commune.path}{v.pk}/" for v in villages)
    assert [v.is_urban for v in villages] == [False, False, True]
    assert str(commune.valid_from) == "2025-07-01"
    assert district.descendants(include_self=False).count() == 4


def test_villages_listed_before_their_commune_are_imported_after_it(admin_client, district):
    rows = HEAD + "01099-01,Thôn Một,thôn,01099,,0\n01099,Xã Mới,xã,034,,0\n"
    preview = upload(admin_client, Area, sheet("areas.csv", rows.encode()))
    confirm(admin_client, Area, preview)
    village = Area.objects.get(code="01099-01")
    assert village.parent.code == "01099"
    assert village.path == f"{district.path}{village.parent.pk}/{village.pk}/"


def test_importing_the_same_sheet_again_changes_nothing(admin_client, district):
    rows = HEAD + "01099,Xã Mới,Xã,034,,0\n"
    confirm(admin_client, Area, upload(admin_client, Area, sheet("a.csv", rows.encode())))
    again = upload(admin_client, Area, sheet("a.csv", rows.encode()))
    assert again.context["result"].totals["skip"] == 1
    assert Area.objects.filter(code="01099").count() == 1


def test_a_renamed_commune_is_updated_in_place(admin_client, commune):
    rows = HEAD + "01090,Xã Vĩnh Hảo Mới,Xã,034,,0\n"
    confirm(admin_client, Area, upload(admin_client, Area, sheet("a.csv", rows.encode())))
    commune.refresh_from_db()
    assert commune.name == "Xã Vĩnh Hảo Mới"
    assert Area.objects.filter(code="01090").count() == 1


def test_a_sheet_with_an_unknown_parent_and_a_duplicate_code_shows_errors_and_writes_nothing(
    admin_client, district
):
    rows = (
        HEAD
        + "01099,Xã Mới,Xã,034,,0\n"
        + "01099-01,Thôn Một,Thôn,01099,,0\n"
        + "01099-01,Thôn Một lần nữa,Thôn,01099,,0\n"
        + "01098,Xã Lạc,Xã,999,,0\n"
        + "01097,Xã Lạ,Làng,034,,0\n"
    )
    before = Area.objects.count()

    preview = upload(admin_client, Area, sheet("bad.csv", rows.encode()))

    assert preview.status_code == 200
    assert preview.context.get("confirm_form") is None  # no confirm button
    page = preview.content.decode()
    assert "Không có đơn vị cấp trên mã 999" in page
    assert "Mã 01099-01 lặp lại" in page
    assert "Cấp “Làng” không hợp lệ" in page
    assert Area.objects.count() == before


def test_a_village_under_a_district_is_refused_by_the_model_rules(admin_client, district):
    rows = HEAD + "03401,Thôn Lạc,Thôn,034,,0\n"
    preview = upload(admin_client, Area, sheet("bad.csv", rows.encode()))
    assert preview.context.get("confirm_form") is None
    assert not Area.objects.filter(code="03401").exists()


def test_only_an_administrator_reaches_the_import_page(client, officer):
    client.force_login(officer)
    response = client.get("/admin/areas/area/import/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_staff_user_without_the_change_permission_cannot_import(client, db):
    from django.contrib.auth.models import Permission

    from accounts.tests.factories import VERIFIED_IN_TESTS, UserFactory, totp_device

    clerk = UserFactory(username="clerk", is_staff=True)
    totp_device(clerk, name=VERIFIED_IN_TESTS)  # staff log in with two factors too
    clerk.user_permissions.add(Permission.objects.get(codename="view_area"))
    client.force_login(clerk)
    assert client.get("/admin/areas/area/").status_code == 200
    assert client.get("/admin/areas/area/import/").status_code == 403
    assert client.get("/admin/areas/area/export/").status_code == 200
