"""The English names of the national target programmes, their projects and sub-projects, as the
programme documents name them (Decision 90/QĐ-TTg, 2022), by their Vietnamese names.

Read by the data migration that fills ``name_en`` of rows already in the database
(``migrations/0005_fill_names_en.py``) and by the demo loader; a name typed in the admin is kept.
"""

from __future__ import annotations

from core.text import fold, nfc

PROGRAMMES = {
    "Chương trình mục tiêu quốc gia Giảm nghèo bền vững giai đoạn 2021 - 2025": (
        "National Target Programme for Sustainable Poverty Reduction, 2021–2025"
    ),
    "Chương trình mục tiêu quốc gia giai đoạn 2026 - 2035 (hợp nhất)": (
        "National Target Programme, 2026–2035 (merged)"
    ),
}

PROJECTS = {
    "Hỗ trợ đầu tư phát triển hạ tầng kinh tế - xã hội các huyện nghèo, các xã đặc biệt khó "
    "khăn vùng bãi ngang, ven biển và hải đảo": (
        "Investment in socio-economic infrastructure in poor districts and extremely "
        "disadvantaged coastal and island communes"
    ),
    "Đa dạng hóa sinh kế, phát triển mô hình giảm nghèo": (
        "Diversifying livelihoods and developing poverty reduction models"
    ),
    "Hỗ trợ phát triển sản xuất, cải thiện dinh dưỡng": (
        "Supporting production development and improving nutrition"
    ),
    "Phát triển giáo dục nghề nghiệp, việc làm bền vững": (
        "Developing vocational education and sustainable employment"
    ),
    "Hỗ trợ nhà ở cho hộ nghèo, hộ cận nghèo trên địa bàn các huyện nghèo": (
        "Housing support for poor and near-poor households in poor districts"
    ),
    "Truyền thông và giảm nghèo về thông tin": "Communication and information poverty reduction",
    "Nâng cao năng lực và giám sát, đánh giá Chương trình": (
        "Capacity building, monitoring and evaluation of the Programme"
    ),
}

SUBPROJECTS = {
    **PROJECTS,  # a project without sub-projects is its own sub-project (Dự án 2, 5)
    "Hỗ trợ phát triển sản xuất trong lĩnh vực nông nghiệp": (
        "Supporting agricultural production development"
    ),
    "Cải thiện dinh dưỡng": "Improving nutrition",
    "Phát triển giáo dục nghề nghiệp vùng nghèo, vùng khó khăn": (
        "Developing vocational education in poor and disadvantaged areas"
    ),
    "Hỗ trợ người lao động đi làm việc ở nước ngoài theo hợp đồng": (
        "Supporting workers to work abroad under contract"
    ),
    "Hỗ trợ việc làm bền vững": "Supporting sustainable employment",
    "Giảm nghèo về thông tin": "Information poverty reduction",
    "Truyền thông về giảm nghèo đa chiều": "Communication on multidimensional poverty reduction",
    "Nâng cao năng lực thực hiện Chương trình": "Capacity building for the Programme",
    "Giám sát, đánh giá": "Monitoring and evaluation",
}


def _key(name: str) -> str:
    return " ".join(fold(nfc(name or "")).replace("–", "-").split())


_INDEX = {
    kind: {_key(vi): en for vi, en in table.items()}
    for kind, table in (
        ("programme", PROGRAMMES),
        ("project", PROJECTS),
        ("subproject", SUBPROJECTS),
    )
}


def english_name(kind: str, name: str) -> str:
    """The English name of a ``programme``, ``project`` or ``subproject`` called ``name`` in
    Vietnamese (compared without case, diacritics and extra spaces); "" when not known."""
    return _INDEX[kind].get(_key(name), "")
