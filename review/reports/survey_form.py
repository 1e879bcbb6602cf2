"""Phiếu B, the survey form of the periodic review (Circular 07/2021/TT-BLĐTBXH), for field work:

- ``review_form``: pre-filled from each household's latest previous result (income or B1 score,
  the 12 indicators of the cycle's standard in its 6 dimensions, the class) and its members as
  the registry knows them — for one household (option ``household``: its code; or several
  codes separated by commas, the households ticked in the list page) or for every household of
  the area (a village: one PDF, one form after another);
- ``review_form_blank``: the same form with nothing filled in.

The members are shown by relation, sex and year of birth, never by name or citizen ID (no report
names a member; docs/decisions-review.md). The form's title and notes are the commune's wording
(``DocumentSettings.body``), since the official form text is not confirmed."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area
from core.formatting import format_int
from households.models import Deprivation, Household, Member, ReviewCycle
from indicators.models import Indicator
from reports.errors import ReportError
from reports.registry import register
from reports.tables import Column, Table

from .common import (
    ReviewDocument,
    body_text,
    class_label,
    common_values,
    cycle_for,
    latest_before,
    registry,
    village_order,
)

SLUG, BLANK_SLUG = "review_form", "review_form_blank"
#: rows of the members' table on a blank form (and spare rows under a pre-filled one)
BLANK_MEMBERS, SPARE_MEMBERS = 6, 2

DEFAULT_BODY = (
    "PHIẾU B - PHIẾU RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {nam}\n"
    "(Áp dụng cho rà soát định kỳ năm {nam} trên địa bàn {xa}; nội dung theo Thông tư số "
    "07/2021/TT-BLĐTBXH)\n"
    "Cột “Lần trước” là câu trả lời trong lần rà soát gần nhất của hộ; điều tra viên hỏi lại "
    "và ghi câu trả lời năm nay vào cột “Năm nay”.\n"
    "Điểm B2 = 10 điểm cho mỗi chỉ số thiếu hụt; hộ thiếu hụt từ 3 chỉ số trở lên (B2 từ 30 "
    "điểm) và có thu nhập (điểm B1) không quá chuẩn là hộ nghèo."
)


def default_body(area: Area) -> str:
    return DEFAULT_BODY


#: a form costs WeasyPrint about as much as 35 rows of a table (0,35–0,55 s measured per
#: household on the shared test machine), so the engine's estimate sends a large village to the
#: ``report`` command instead of timing out in the browser
ROWS_PER_FORM = 35


def _codes(household: str) -> list[str]:
    """The option ``household``: one code, or several separated by commas."""
    return [code.strip() for code in household.split(",") if code.strip()]


def form_rows(area: Area, year: int, household: str = "") -> int:
    households = Household.objects.within(area).filter(left_registry_on__isnull=True)
    if household:
        households = households.filter(code__in=_codes(household))
    return ROWS_PER_FORM * households.count()


def _standard_indicators(cycle: ReviewCycle) -> list[Indicator]:
    return list(Indicator.objects.of_standard(cycle.standard).order_by("dimension__order", "order"))


def _indicator_rows(indicators, deprived: set[str] | None) -> list[dict]:
    """The 12 indicators grouped by dimension; ``deprived`` None on a blank form."""
    rows, last = [], None
    for indicator in indicators:
        rows.append(
            {
                "dimension": indicator.dimension.name if indicator.dimension_id != last else "",
                "span": sum(1 for i in indicators if i.dimension_id == indicator.dimension_id)
                if indicator.dimension_id != last
                else 0,
                "code": indicator.code,
                "name": indicator.name,
                "previous": None if deprived is None else indicator.code in deprived,
            }
        )
        last = indicator.dimension_id
    return rows


def _member_rows(members) -> list[dict]:
    relation = dict(Member.Relation.choices)
    sex = dict(Member.Sex.choices)
    schooling = dict(Member.Schooling.choices)
    work = dict(Member.Work.choices)
    return [
        {
            "number": i,
            "relation": str(relation.get(m.relation_to_head, "")),
            "sex": str(sex.get(m.sex, "")),
            "born": m.date_of_birth.year if m.date_of_birth else "",
            "insurance": _("Có") if m.has_health_insurance else _("Không"),
            "schooling": str(schooling.get(m.schooling, "")),
            "work": str(work.get(m.work_status, "")),
            "disability": _("Có") if m.has_disability else "",
        }
        for i, m in enumerate(members, start=1)
    ]


def _wording(area: Area, cycle: ReviewCycle, slug: str) -> dict:
    lines = body_text(area, slug, DEFAULT_BODY, common_values(cycle))
    return {
        "title": lines[0] if lines else "",
        "subtitle": lines[1] if len(lines) > 1 else "",
        "notes": lines[2:],
    }


def _indicator_table(indicators) -> Table:
    return Table(
        key="indicators",
        sheet=_("Chỉ số thiếu hụt"),
        title=_("Các chỉ số đo lường mức độ thiếu hụt dịch vụ xã hội cơ bản"),
        columns=[
            Column("dimension", _("Chiều thiếu hụt")),
            Column("code", _("Mã")),
            Column("name", _("Chỉ số")),
        ],
        rows=[
            {"key": i.code, "dimension": i.dimension.name, "code": i.code, "name": i.name}
            for i in indicators
        ],
    )


@register(
    BLANK_SLUG,
    title=gettext_lazy("Phiếu B để trống (phiếu rà soát hộ)"),
    default_body=default_body,
)
def review_form_blank(area: Area, year: int) -> ReviewDocument:
    cycle = cycle_for(area, year)
    indicators = _standard_indicators(cycle)
    form = {
        "village": area.name if area.kind == Area.Kind.VILLAGE else "",
        "indicators": _indicator_rows(indicators, None),
        "members": [{"number": i} for i in range(1, BLANK_MEMBERS + 1)],
        "blank": True,
    }
    return ReviewDocument(
        slug=BLANK_SLUG,
        title=_("Phiếu B để trống năm %(year)s") % {"year": year},
        area=area,
        year=year,
        tables=[_indicator_table(indicators)],
        body_template="review/documents/survey_form.html",
        body_context={
            "forms": [form],
            "wording": _wording(area, cycle, BLANK_SLUG),
            "commune": cycle.commune,
            "classes": [str(label) for _value, label in _class_choices()],
        },
        official_heading=False,
        official_closing=False,
        word_like=False,
    )


def _class_choices():
    from households.models import Assessment

    return Assessment.CLASS_CHOICES


@register(
    SLUG,
    title=gettext_lazy("Phiếu B điền sẵn kết quả lần trước (theo hộ hoặc theo thôn)"),
    options=("household",),
    personal_tables=("households", "members"),
    row_count=form_rows,
    default_body=default_body,
)
def review_form(area: Area, year: int, household: str = "") -> ReviewDocument:
    cycle = cycle_for(area, year)
    households = registry(cycle, area)
    if household:
        households = households.filter(code__in=_codes(household))
    households = list(households.select_related("village").order_by())
    if household and not households:
        raise ReportError(
            _("Không có hộ mã “%(code)s” trong danh sách rà soát của %(area)s."),
            params={"code": household, "area": area.name},
        )
    _units, order = village_order(area)
    households.sort(key=lambda h: (order.get(h.village_id, 0), h.code))
    ids = [h.pk for h in households]
    previous = latest_before(cycle, ids)
    deprived: dict[int, set[str]] = defaultdict(set)
    for assessment_id, code in Deprivation.objects.filter(
        assessment_id__in=[a.pk for a in previous.values()]
    ).values_list("assessment_id", "indicator__code"):
        deprived[assessment_id].add(code)
    members: dict[int, list] = defaultdict(list)
    for member in Member.objects.filter(household_id__in=ids).order_by("household_id", "id"):
        members[member.household_id].append(member)
    indicators = _standard_indicators(cycle)
    forms, household_rows, member_rows = [], [], []
    for h in households:
        before = previous.get(h.pk)
        codes = deprived.get(before.pk, set()) if before else set()
        these = _member_rows(members.get(h.pk, []))
        spare = [{"number": len(these) + i} for i in range(1, SPARE_MEMBERS + 1)]
        summary = {
            "key": h.code,
            "village": h.village.name,
            "code": h.code,
            "head": h.head_name,
            "ethnicity": h.ethnicity,
            "area_kind": _("Thành thị") if h.is_urban else _("Nông thôn"),
            "address": h.address,
            "members": len(these),
            "previous_year": before.cycle.year if before else None,
            "income": before.income_per_capita if before else None,
            "b1": before.b1_score if before else None,
            "b2": before.b2_score if before else None,
            "deprived": ", ".join(sorted(codes)),
            "previous": class_label(before.household_class) if before else "",
        }
        household_rows.append(summary)
        member_rows.extend({"key": f"{h.code}-{m['number']}", "code": h.code, **m} for m in these)
        forms.append(
            {
                **summary,
                "income_text": format_int(summary["income"])
                if before and before.income_per_capita
                else "",
                "has_previous": before is not None,
                "indicators": _indicator_rows(indicators, codes if before else None),
                "members": these + spare,
            }
        )
    household_table = Table(
        key="households",
        title=_("Câu trả lời lần trước của các hộ"),
        columns=[
            Column("village", _("Thôn")),
            Column("code", _("Mã hộ")),
            Column("head", _("Chủ hộ")),
            Column("ethnicity", _("Dân tộc")),
            Column("members", _("Số khẩu"), "int"),
            Column("previous_year", _("Năm")),
            Column("income", _("Thu nhập bình quân (đồng/người/tháng)"), "int"),
            Column("b1", _("Điểm B1"), "int"),
            Column("b2", _("Điểm B2"), "int"),
            Column("deprived", _("Chỉ số thiếu hụt")),
            Column("previous", _("Phân loại")),
        ],
        rows=household_rows,
    )
    member_table = Table(
        key="members",
        title=_("Thành viên của các hộ (theo sổ theo dõi)"),
        columns=[
            Column("code", _("Mã hộ")),
            Column("number", _("STT"), "int"),
            Column("relation", _("Quan hệ với chủ hộ")),
            Column("sex", _("Giới tính")),
            Column("born", _("Năm sinh")),
            Column("insurance", _("Thẻ BHYT")),
            Column("schooling", _("Học vấn")),
            Column("work", _("Việc làm")),
            Column("disability", _("Khuyết tật")),
        ],
        rows=member_rows,
    )
    return ReviewDocument(
        slug=SLUG,
        title=_("Phiếu B năm %(year)s điền sẵn kết quả lần trước") % {"year": year},
        area=area,
        year=year,
        tables=[household_table, member_table, _indicator_table(indicators)],
        provenance={"cycle": cycle.pk, "households": len(forms)},
        body_template="review/documents/survey_form.html",
        body_context={
            "forms": forms,
            "wording": _wording(area, cycle, SLUG),
            "commune": cycle.commune,
            "classes": [str(label) for _value, label in _class_choices()],
        },
        official_heading=False,
        official_closing=False,
        word_like=False,
    )
