"""Standards, dimensions, indicators and targets through the admin's import and export
(django-import-export)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.tests.admin_import import confirm, export, sheet, upload
from indicators.models import Dimension, Indicator, PovertyStandard, Target


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("model", [PovertyStandard, Dimension, Indicator])
def test_standards_exported_and_imported_again_are_unchanged(admin_client, model, fmt):
    before = list(model.objects.order_by("pk").values())
    exported = export(admin_client, model, fmt)
    assert exported.status_code == 200
    file = SimpleUploadedFile(f"{model._meta.model_name}.{fmt}", exported.content)

    preview = upload(admin_client, model, file)

    totals = preview.context["result"].totals
    assert totals["skip"] == len(before) > 0
    assert totals["new"] == totals["update"] == totals["error"] == totals["invalid"] == 0
    confirm(admin_client, model, preview)
    assert list(model.objects.order_by("pk").values()) == before


def test_a_changed_indicator_definition_is_updated_from_a_sheet(admin_client):
    indicator = Indicator.objects.get(dimension__standard__code="2022-2025", code="6.1")
    rows = (
        "standard,dimension,code,name,name_en,definition,order\n"
        f"2022-2025,{indicator.dimension.code},6.1,{indicator.name},{indicator.name_en},"
        f"Định nghĩa mới,{indicator.order}\n"
    )
    preview = upload(admin_client, Indicator, sheet("i.csv", rows.encode()))
    assert preview.context["result"].totals["update"] == 1
    confirm(admin_client, Indicator, preview)
    indicator.refresh_from_db()
    assert indicator.definition == "Định nghĩa mới"


def test_an_indicator_of_an_unknown_dimension_is_refused(admin_client):
    rows = "standard,dimension,code,name,name_en,definition,order\n2022-2025,Z,9.9,X,,X,1\n"
    preview = upload(admin_client, Indicator, sheet("i.csv", rows.encode()))
    assert preview.context.get("confirm_form") is None
    assert "Không có chiều thiếu hụt mã Z." in preview.content.decode()
    assert not Indicator.objects.filter(code="9.9").exists()


def test_targets_are_imported_with_history_and_a_changed_one_gets_a_new_version(
    admin_client, administrator, commune
):
    rows = "area,year,metric,value,source\n01090,2025,poor_reduction,12,KH 1/KH-UBND\n"
    confirm(admin_client, Target, upload(admin_client, Target, sheet("t.csv", rows.encode())))
    target = Target.objects.get(area=commune, year=2025, metric="poor_reduction")
    assert (target.value, target.version, target.updated_by) == (12, 1, administrator)

    changed = rows.replace(",12,", ",15,")
    confirm(admin_client, Target, upload(admin_client, Target, sheet("t.csv", changed.encode())))

    target.refresh_from_db()
    assert (target.value, target.version) == (15, 2)
    history = list(target.history.order_by("history_date"))
    assert [h.value for h in history] == [12, 15]
    assert {h.history_user for h in history} == {administrator}
    assert history[-1].history_change_reason == "Nhập từ tệp trong trang quản trị"


def test_a_target_with_a_negative_value_or_an_unknown_area_is_refused(admin_client, commune):
    rows = (
        "area,year,metric,value,source\n"
        "01090,2025,poor_reduction,-1,KH\n"
        "77777,2025,poor_reduction,3,KH\n"
    )
    preview = upload(admin_client, Target, sheet("t.csv", rows.encode()))
    assert preview.context.get("confirm_form") is None
    assert "Không có đơn vị hành chính mã 77777." in preview.content.decode()
    assert not Target.objects.exists()


def test_text_a_spreadsheet_would_run_is_exported_as_text_and_imported_back_unchanged(
    admin_client,
):
    indicator = Indicator.objects.get(dimension__standard__code="2022-2025", code="6.1")
    indicator.definition = "=1+1 không phải công thức"
    indicator.save()
    exported = export(admin_client, Indicator, "csv")
    assert "'=1+1 không phải công thức" in exported.content.decode()

    preview = upload(admin_client, Indicator, SimpleUploadedFile("i.csv", exported.content))

    assert preview.context["result"].totals["update"] == 0


def test_the_csv_export_has_a_byte_order_mark_for_excel(admin_client):
    exported = export(admin_client, Indicator, "csv")
    assert exported.content[:3] == b"\xef\xbb\xbf"
    assert "Việc làm" in exported.content.decode("utf-8-sig")
