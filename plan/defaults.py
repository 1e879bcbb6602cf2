"""The narrative parts of a plan (Kế hoạch) that a commune types in, with the text each starts
from when the commune has not written its own. ``{commune}`` is the commune as it reads in a
sentence ("xã Vĩnh Hảo"), ``{year}`` the plan year, ``{previous}`` the year before.

In a text, a line starting with "- " or "+ " is a bullet and a line such as "3.1. Việc làm" a
sub-heading (``plan/document.py`` reads them so).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from core.names import english
from indicators.models import Target


@dataclass(frozen=True)
class Part:
    key: str
    label: str
    default: str


PARTS = [
    Part(
        "bases",
        _("Căn cứ ban hành kế hoạch (mỗi dòng một căn cứ)"),
        "Căn cứ Nghị quyết số 24/2021/QH15 của Quốc hội về phê duyệt chủ trương đầu tư Chương "
        "trình mục tiêu quốc gia giảm nghèo bền vững giai đoạn 2021-2025;\n"
        "Căn cứ kế hoạch của cấp trên về thực hiện Chương trình mục tiêu quốc gia giảm nghèo bền "
        "vững năm {year};\n"
        "Căn cứ Nghị quyết của Hội đồng nhân dân {commune} về nhiệm vụ phát triển kinh tế - xã "
        "hội, quốc phòng - an ninh năm {year}.",
    ),
    Part(
        "intro",
        _("Đoạn mở đầu"),
        "Ủy ban nhân dân {commune} xây dựng Kế hoạch thực hiện Chương trình mục tiêu quốc gia "
        "Giảm nghèo bền vững trên địa bàn {commune} năm {year}, cụ thể như sau:",
    ),
    Part(
        "general_objectives",
        _("II.1. Mục tiêu tổng quát"),
        "- Phát huy vai trò lãnh đạo, chỉ đạo của cấp ủy, chính quyền, Mặt trận Tổ quốc, các tổ "
        "chức chính trị - xã hội và sự đồng lòng của nhân dân về công tác giảm nghèo bền vững, "
        "coi đây là nhiệm vụ trọng tâm của cả hệ thống chính trị.\n"
        "- Thực hiện mục tiêu giảm nghèo bền vững, hạn chế tái nghèo và phát sinh nghèo; tạo điều "
        "kiện cho người nghèo, hộ nghèo tiếp cận các dịch vụ xã hội cơ bản (việc làm, y tế, giáo "
        "dục, nhà ở, nước sinh hoạt và vệ sinh, tiếp cận thông tin).",
    ),
    Part("rate_targets_note", _("II.2.1. Nội dung thêm sau chỉ tiêu giảm nghèo"), ""),
    Part("targets_jobs", _("II.2.2. Chiều việc làm: chỉ tiêu thêm"), ""),
    Part("targets_health", _("II.2.2. Chiều y tế: chỉ tiêu thêm"), ""),
    Part("targets_education", _("II.2.2. Chiều giáo dục, đào tạo: chỉ tiêu thêm"), ""),
    Part("targets_water", _("II.2.2. Chiều nước sinh hoạt và vệ sinh: chỉ tiêu thêm"), ""),
    Part("targets_information", _("II.2.2. Chiều thông tin: chỉ tiêu thêm"), ""),
    Part("service_targets_note", _("II.2.2. Đoạn văn sau các chỉ tiêu"), ""),
    Part(
        "tasks_intro",
        _("III.1. Đoạn mở đầu phần tổ chức thực hiện các dự án"),
        "Các ngành, Ban quản lý thôn phối hợp tổ chức thực hiện hiệu quả các dự án, tiểu dự án và "
        "hoạt động thuộc Chương trình mục tiêu quốc gia giảm nghèo bền vững năm {year} theo nhiệm "
        "vụ được phân công, bao gồm:",
    ),
    Part(
        "production",
        _("III.2. Phát triển sản xuất, kinh doanh, tạo việc làm, nâng cao thu nhập"),
        "Tổ chức hiệu quả các dự án hỗ trợ phát triển sản xuất, đa dạng hóa sinh kế, phát triển "
        "mô hình giảm nghèo; lồng ghép các chương trình, dự án trên địa bàn để nâng cao thu nhập "
        "cho hộ nghèo, hộ cận nghèo, hộ mới thoát nghèo.\n"
        "Tạo điều kiện cho hộ nghèo, hộ cận nghèo và hộ mới thoát nghèo tiếp cận và sử dụng hiệu "
        "quả các nguồn vốn, nhất là vốn tín dụng ưu đãi.",
    ),
    Part(
        "basic_services",
        _("III.3. Bảo đảm mức tối thiểu về dịch vụ xã hội cơ bản"),
        "3.1. Việc làm\n"
        "Tăng cường tư vấn, giới thiệu việc làm, kết nối lao động thuộc hộ nghèo, hộ cận nghèo "
        "với thị trường lao động.\n"
        "3.2. Y tế\n"
        "Duy trì tỷ lệ người dân có thẻ bảo hiểm y tế; thực hiện hiệu quả nội dung cải thiện "
        "dinh dưỡng.\n"
        "3.3. Giáo dục, đào tạo\n"
        "Vận động trẻ em đi học đúng độ tuổi; thực hiện đầy đủ các chính sách hỗ trợ học sinh "
        "và đào tạo nghề cho người lao động thuộc hộ nghèo, hộ cận nghèo.\n"
        "3.4. Nhà ở\n"
        "Huy động các nguồn lực hỗ trợ hộ nghèo, hộ cận nghèo có khó khăn về nhà ở.\n"
        "3.5. Nước sinh hoạt và vệ sinh\n"
        "Vận động và hỗ trợ hộ nghèo, hộ cận nghèo sử dụng nước sinh hoạt và nhà tiêu hợp vệ "
        "sinh.\n"
        "3.6. Tiếp cận thông tin\n"
        "Triển khai hiệu quả Dự án Truyền thông và giảm nghèo về thông tin.",
    ),
    Part(
        "budget_intro",
        _("IV. Đoạn mở đầu phần kinh phí"),
        "Kinh phí thực hiện Kế hoạch này được đảm bảo từ nguồn NSNN theo phân cấp quản lý hiện "
        "hành và các nguồn kinh phí hợp pháp khác theo quy định; lồng ghép với nguồn kinh phí các "
        "chương trình mục tiêu quốc gia để thực hiện gồm:",
    ),
    Part(
        "budget_other",
        _("IV. Các nguồn vốn khác"),
        "Vốn tín dụng, vốn huy động của các tổ chức, cá nhân và các nguồn vốn hợp pháp khác.",
    ),
    Part(
        "closing",
        _("Đoạn kết"),
        "Trên đây là Kế hoạch thực hiện Chương trình mục tiêu quốc gia Giảm nghèo bền vững năm "
        "{year} trên địa bàn {commune}. Ủy ban nhân dân xã đề nghị các ban, ngành, đoàn thể, các "
        "đơn vị, các thôn nghiêm túc tổ chức triển khai thực hiện./.",
    ),
]
BY_KEY = {part.key: part for part in PARTS}


def default_text(key: str, *, commune: str, year: int) -> str:
    return BY_KEY[key].default.format(commune=commune, year=year, previous=year - 1)


#: II.2.1 as plan 193/KH-UBND words it, after the figures: "Phấn đấu giảm 35 hộ …, giảm tỷ lệ
#: nghèo đa chiều xuống còn 7,64%, hạn chế thấp nhất hộ tái nghèo và hộ nghèo phát sinh mới"
RATE_TARGET_CLAUSE = _("hạn chế thấp nhất hộ tái nghèo và hộ nghèo phát sinh mới")

PERCENT = re.compile(r"(\d)\s+%")
SPACE_BEFORE_STOP = re.compile(r"%\s+([.,;:])")


def percent_text(text: str) -> str:
    """Percentages one way throughout the plan: the sign right after the figure ("7,64%"), as
    most of plan 193/KH-UBND writes them, never "7,64 %" nor "7,64% ."."""
    return SPACE_BEFORE_STOP.sub(r"%\1", PERCENT.sub(r"\1%", text))


@dataclass(frozen=True)
class ServiceTarget:
    """One dimension of section II.2.2: its label, the targets stated under it (sentences built
    from ``Target`` values, ``None`` when a figure is missing) and the typed part (``key``) whose
    lines add its other sub-targets."""

    key: str
    label: str
    build: Callable[[dict], list[str | None]]

    def sentences(self, values: dict) -> list[str | None]:
        return self.build(values)


def _jobs(v: dict) -> list[str | None]:
    M = Target.Metric
    if M.JOBS not in v:
        return []
    text = gettext_now("giải quyết việc làm cho %(n)s lao động") % {"n": v[M.JOBS]}
    if M.JOBS_OTHER_PROVINCES in v and M.JOBS_LOCAL in v:
        text += gettext_now(
            ", trong đó đi làm việc ở các tỉnh trong nước là %(a)s lao động và lao động tại địa "
            "phương là %(b)s lao động"
        ) % {"a": v[M.JOBS_OTHER_PROVINCES], "b": v[M.JOBS_LOCAL]}
    return [text]


def _one(metric: str, template) -> Callable[[dict], list[str | None]]:
    def build(v: dict) -> list[str | None]:
        return [str(template) % {"v": v[metric]}] if metric in v else []

    return build


def _water(v: dict) -> list[str | None]:
    M = Target.Metric
    parts = []
    if M.CLEAN_WATER in v:
        parts.append(
            gettext_now("%(v)s%% hộ nghèo, hộ cận nghèo sử dụng nước sinh hoạt hợp vệ sinh")
            % {"v": v[M.CLEAN_WATER]}
        )
    if M.LATRINE in v:
        parts.append(
            gettext_now("%(v)s%% hộ nghèo, hộ cận nghèo sử dụng nhà tiêu hợp vệ sinh")
            % {"v": v[M.LATRINE]}
        )
    return [gettext_now("phấn đấu %(t)s") % {"t": "; ".join(parts)}] if parts else []


#: Section II.2.2 in plan 193/KH-UBND's order: each dimension with its targets and sub-targets
SERVICE_TARGETS = [
    ServiceTarget("targets_jobs", _("Chiều thiếu hụt về việc làm"), _jobs),
    ServiceTarget(
        "targets_health",
        _("Chiều thiếu hụt về y tế"),
        _one(
            Target.Metric.HEALTH_INSURANCE,
            _("%(v)s%% người thuộc hộ nghèo, hộ cận nghèo được hỗ trợ bảo hiểm y tế"),
        ),
    ),
    ServiceTarget(
        "targets_education",
        _("Chiều thiếu hụt về giáo dục, đào tạo"),
        _one(
            Target.Metric.SCHOOLING,
            _("tỷ lệ trẻ em thuộc hộ nghèo, hộ cận nghèo đi học đúng độ tuổi đạt %(v)s%%"),
        ),
    ),
    ServiceTarget("targets_water", _("Chiều thiếu hụt về nước sinh hoạt và vệ sinh"), _water),
    ServiceTarget(
        "targets_information",
        _("Chiều thiếu hụt về thông tin"),
        _one(
            Target.Metric.TELECOM,
            _(
                "%(v)s%% hộ nghèo, hộ cận nghèo có nhu cầu được tiếp cận sử dụng các dịch vụ "
                "viễn thông, internet"
            ),
        ),
    ),
]


@dataclass(frozen=True)
class Title:
    """A section title of the plan in Vietnamese, with its English version beside it (data, not
    a translation catalogue entry): the plan page in English shows ``en``; the official document,
    built with Vietnamese active, ``vi``. ``{year}``: the plan year, ``{previous}``: the year
    before."""

    vi: str
    en: str

    def text(self, **values) -> str:
        return (self.en if english() else self.vi).format(**values)


SECTION_TITLES = {
    "situation": Title(
        "I. Thực trạng hộ nghèo đa chiều cuối năm {previous}",
        "I. Multidimensional poverty at the end of {previous}",
    ),
    "deprivation": Title(
        "Mức độ thiếu hụt các nhu cầu xã hội cơ bản của hộ nghèo đa chiều.",
        "Deprivation of multidimensionally poor households in basic social needs.",
    ),
    "objectives": Title("II. Mục tiêu năm {year}", "II. Targets for {year}"),
    "general_objectives": Title("1. Mục tiêu tổng quát", "1. General objective"),
    "specific_objectives": Title("2. Mục tiêu cụ thể", "2. Specific targets"),
    "rate_targets": Title(
        "2.1. Mục tiêu giảm tỷ lệ nghèo đa chiều",
        "2.1. Targets for reducing the multidimensional poverty rate",
    ),
    "service_targets": Title(
        "2.2. Các chỉ tiêu giải quyết mức độ thiếu hụt các dịch vụ xã hội cơ bản",
        "2.2. Targets for addressing deprivation in basic social services",
    ),
    "tasks": Title("III. Nhiệm vụ và giải pháp", "III. Tasks and solutions"),
    "budget": Title("IV. Kinh phí thực hiện", "IV. Implementation budget"),
    "organisation": Title("V. Tổ chức thực hiện", "V. Implementation arrangements"),
}


def section_title(key: str, *, year: int) -> str:
    """The title of section ``key`` of the plan of ``year``, in the active language."""
    return SECTION_TITLES[key].text(year=year, previous=year - 1)
