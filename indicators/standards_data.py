"""The poverty standards as first loaded by migration 0002 (kept here so the migration is frozen
data, not code that changes). Later edits happen in the admin."""

import datetime

DIMENSIONS_2022 = [
    ("1", "Việc làm", "Employment"),
    ("2", "Y tế", "Health"),
    ("3", "Giáo dục", "Education"),
    ("4", "Nhà ở", "Housing"),
    ("5", "Nước sinh hoạt và vệ sinh", "Domestic water and sanitation"),
    ("6", "Tiếp cận thông tin", "Access to information"),
]

# (code, dimension, name, English name, definition as the 2024 plan of Vĩnh Hảo states it)
INDICATORS_2022 = [
    (
        "1.1",
        "1",
        "Việc làm",
        "Employment",
        "Hộ gia đình có ít nhất một người không có việc làm; hoặc có việc làm công ăn lương nhưng "
        "không có hợp đồng lao động",
    ),
    (
        "1.2",
        "1",
        "Người phụ thuộc trong hộ gia đình",
        "Dependants",
        "Hộ gia đình có tỷ lệ người phụ thuộc trong tổng số nhân khẩu lớn hơn 50%",
    ),
    (
        "2.1",
        "2",
        "Dinh dưỡng",
        "Nutrition",
        "Hộ gia đình có ít nhất một trẻ em dưới 16 tuổi suy dinh dưỡng chiều cao theo tuổi "
        "hoặc suy dinh dưỡng cân nặng theo tuổi",
    ),
    (
        "2.2",
        "2",
        "Bảo hiểm y tế",
        "Health insurance",
        "Hộ gia đình có ít nhất 1 thành viên từ 06 tuổi trở lên không có thẻ bảo hiểm y tế",
    ),
    (
        "3.1",
        "3",
        "Trình độ giáo dục của người lớn",
        "Adult education",
        "Hộ gia đình có ít nhất một người trong độ tuổi từ 16 đến 30 tuổi không tham gia các khóa "
        "đào tạo hoặc không có bằng cấp, chứng chỉ giáo dục đào tạo so với độ tuổi tương ứng",
    ),
    (
        "3.2",
        "3",
        "Tình trạng đi học của trẻ em",
        "School attendance of children",
        "Hộ gia đình có ít nhất 1 trẻ em từ 3 đến dưới 16 tuổi không được học đúng bậc, cấp học "
        "phù hợp với độ tuổi",
    ),
    (
        "4.1",
        "4",
        "Chất lượng nhà ở",
        "Housing quality",
        "Hộ gia đình đang sống trong ngôi nhà/căn hộ thuộc loại không bền chắc",
    ),
    (
        "4.2",
        "4",
        "Diện tích nhà ở bình quân đầu người",
        "Floor area per person",
        "Diện tích nhà ở bình quân dưới 8m²/người",
    ),
    (
        "5.1",
        "5",
        "Nguồn nước sinh hoạt",
        "Domestic water source",
        "Hộ gia đình không tiếp cận được nguồn nước sạch trong sinh hoạt",
    ),
    (
        "5.2",
        "5",
        "Nhà tiêu hợp vệ sinh",
        "Hygienic latrine",
        "Hộ gia đình không sử dụng hố xí/nhà tiêu hợp vệ sinh",
    ),
    (
        "6.1",
        "6",
        "Sử dụng dịch vụ viễn thông",
        "Use of telecom services",
        "Hộ gia đình không có thành viên nào sử dụng internet",
    ),
    (
        "6.2",
        "6",
        "Phương tiện phục vụ tiếp cận thông tin",
        "Means of access to information",
        "Hộ gia đình không có Tivi, dàn nghe nhạc, máy vi tính/máy tính, máy tính bảng, điện thoại "
        "(cố định/di động)",
    ),
]

STANDARD_2022 = {
    "code": "2022-2025",
    "name": "Chuẩn nghèo đa chiều giai đoạn 2022–2025",
    "legal_basis": (
        "Nghị định 07/2021/NĐ-CP; Nghị định 351/2025/NĐ-CP kéo dài hiệu lực đến hết 2026"
    ),
    "period_start_year": 2022,
    "period_end_year": 2025,
    "effective_from": "2022-01-01",
    "effective_to": "2026-12-31",
    "rural_poverty_line": 1_500_000,
    "urban_poverty_line": 2_000_000,
    "rural_average_upper": 2_250_000,
    "urban_average_upper": 3_000_000,
    "b1_rural_max": 140,
    "b1_urban_max": 175,
    "b2_points_per_indicator": 10,
    "deprivation_cutoff": 3,
    "indicators_provisional": False,
    "notes": "Trọng số các câu hỏi điểm B1 (Thông tư 07/2021/TT-BLĐTBXH) chưa được xác nhận; "
    "điểm B1 được lưu như cán bộ nhập.",
}

STANDARD_2027 = {
    "code": "2027-2030",
    "name": "Chuẩn nghèo đa chiều giai đoạn 2027–2030",
    "legal_basis": "Nghị định 351/2025/NĐ-CP",
    "period_start_year": 2027,
    "period_end_year": 2030,
    "effective_from": "2027-01-01",
    "effective_to": None,
    "rural_poverty_line": 2_200_000,
    "urban_poverty_line": 2_800_000,
    "rural_average_upper": None,
    "urban_average_upper": None,
    "b1_rural_max": None,
    "b1_urban_max": None,
    "b2_points_per_indicator": 10,
    "deprivation_cutoff": 3,
    "indicators_provisional": True,
    "notes": "TẠM THỜI (chưa xác nhận): danh sách chỉ số, ngưỡng, khoảng mức sống trung bình và "
    "ngưỡng điểm B1 của giai đoạn 2027–2030 chưa được đối chiếu với văn bản chính thức. Bộ chỉ số "
    "dưới đây chép từ giai đoạn 2022–2025 và thêm chỉ số xử lý rác thải; hãy sửa khi có hướng dẫn.",
}

EXTRA_INDICATORS_2027 = [
    (
        "5.3",
        "5",
        "Xử lý rác thải (tạm thời)",
        "Waste handling (provisional)",
        "Hộ gia đình không thu gom, xử lý rác thải sinh hoạt đúng quy định "
        "(định nghĩa chưa xác nhận)",
    ),
]


# An income per person per month under 100.000 đ or over 50.000.000 đ is more often a typo than a
# fact: the review form asks the user to confirm it (editable per standard in the admin).
PLAUSIBLE_INCOME = {"income_plausible_min": 100_000, "income_plausible_max": 50_000_000}


def load(apps) -> None:
    """Create or update both standards (used by migration 0002 and by tests that flush)."""
    Standard = apps.get_model("indicators", "PovertyStandard")
    Dimension = apps.get_model("indicators", "Dimension")
    Indicator = apps.get_model("indicators", "Indicator")

    for spec, extra in ((STANDARD_2022, []), (STANDARD_2027, EXTRA_INDICATORS_2027)):
        fields = dict(spec)
        for key in ("effective_from", "effective_to"):
            if fields[key]:
                fields[key] = datetime.date.fromisoformat(fields[key])
        if any(f.name == "income_plausible_min" for f in Standard._meta.get_fields()):
            # from migration 0004 on: the income asking for a confirmation (issue 15)
            fields.update(PLAUSIBLE_INCOME)
        standard, _ = Standard.objects.update_or_create(code=fields.pop("code"), defaults=fields)
        dims = {}
        for order, (code, name, name_en) in enumerate(DIMENSIONS_2022, start=1):
            dims[code], _ = Dimension.objects.update_or_create(
                standard=standard,
                code=code,
                defaults={"name": name, "name_en": name_en, "order": order},
            )
        for order, (code, dim, name, name_en, definition) in enumerate(
            INDICATORS_2022 + extra, start=1
        ):
            Indicator.objects.update_or_create(
                dimension=dims[dim],
                code=code,
                defaults={
                    "name": name,
                    "name_en": name_en,
                    "definition": definition,
                    "order": order,
                },
            )
