"""``review_decision``: the commune decision recognising the poor, near-poor, out-of-poverty and
out-of-near-poverty households of a periodic review (Mẫu 02, Decision 24/2021/QĐ-TTg), with the
four lists annexed. Its number, date and signer are the cycle's (``ReviewCycle.decision_*``);
its wording (bases and articles) is the commune's, starting from a default, since the official
text is not confirmed.

- out of poverty: poor in the commune's previous finalised periodic review, not poor now;
- out of near-poverty: near-poor then, neither poor nor near-poor now (a near-poor household
  that became poor is on the poor list, not "out").
A household without a result now (moved out, split) is on none of the lists."""

from __future__ import annotations

import re
from functools import partial

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area
from core.formatting import format_int
from households.models import Assessment, Household, ReviewCycle
from reports.documents import date_text
from reports.pdf import table_html
from reports.registry import register
from reports.tables import Column, Table

from .common import (
    NEAR_POOR,
    POOR,
    ReviewDocument,
    body_text,
    class_label,
    classes_of,
    common_values,
    cycle_for,
    number_and_symbol,
    only_if_unset,
    previous_finalised,
    village_order,
)

SLUG = "review_decision"
ARTICLE = re.compile(r"^(Điều\s+\d+\.)\s*(.*)$")

DEFAULT_BODY = (
    "CHỦ TỊCH ỦY BAN NHÂN DÂN {XA}\n"
    "Căn cứ Luật Tổ chức chính quyền địa phương;\n"
    "Căn cứ Nghị định số 07/2021/NĐ-CP ngày 27 tháng 01 năm 2021 của Chính phủ quy định chuẩn "
    "nghèo đa chiều giai đoạn 2021 - 2025;\n"
    "Căn cứ Quyết định số 24/2021/QĐ-TTg ngày 16 tháng 7 năm 2021 của Thủ tướng Chính phủ quy "
    "định quy trình rà soát hộ nghèo, hộ cận nghèo hằng năm và quy trình xác định hộ làm nông "
    "nghiệp, lâm nghiệp, ngư nghiệp và diêm nghiệp có mức sống trung bình giai đoạn 2022 - 2025;\n"
    "Căn cứ Thông tư số 07/2021/TT-BLĐTBXH ngày 18 tháng 7 năm 2021 của Bộ trưởng Bộ Lao động - "
    "Thương binh và Xã hội hướng dẫn phương pháp rà soát, phân loại hộ nghèo, hộ cận nghèo; xác "
    "định thu nhập của hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp và diêm nghiệp có mức sống "
    "trung bình giai đoạn 2022 - 2025 và mẫu biểu báo cáo;\n"
    "Căn cứ kết quả rà soát hộ nghèo, hộ cận nghèo năm {nam} trên địa bàn {xa};\n"
    "Theo đề nghị của Ban chỉ đạo rà soát hộ nghèo, hộ cận nghèo {xa}.\n"
    "QUYẾT ĐỊNH:\n"
    "Điều 1. Công nhận {ho_ngheo} hộ nghèo, {ho_can_ngheo} hộ cận nghèo, {ho_thoat_ngheo} hộ "
    "thoát nghèo và {ho_thoat_can_ngheo} hộ thoát cận nghèo trên địa bàn {xa} năm {nam} (có danh "
    "sách kèm theo).\n"
    "Điều 2. Các hộ nghèo, hộ cận nghèo có tên tại Điều 1 được hưởng các chính sách hỗ trợ theo "
    "quy định hiện hành.\n"
    "Điều 3. Quyết định này có hiệu lực kể từ ngày ký. Công chức Văn hóa - Xã hội, Trưởng các "
    "thôn, các cơ quan, đơn vị có liên quan và các hộ gia đình có tên tại Điều 1 chịu trách nhiệm "
    "thi hành Quyết định này./."
)


def default_body(area: Area) -> str:
    return DEFAULT_BODY


def decision_rows(area: Area, year: int) -> int:
    return (
        Assessment.objects.periodic_of_year(year)
        .within(area)
        .filter(household_class__in=[POOR, NEAR_POOR])
        .count()
    )


def _paragraphs(lines: list[str]) -> list[dict]:
    """The wording's lines as the decision lays them out: the issuing authority, the bases
    (italic), the word "QUYẾT ĐỊNH:", the articles with their number in bold."""
    out = []
    for i, line in enumerate(lines):
        article = ARTICLE.match(line)
        if i == 0 and line.isupper():
            out.append({"kind": "authority", "text": line})
        elif line.rstrip(":").isupper():
            out.append({"kind": "decides", "text": line})
        elif article:
            out.append({"kind": "article", "lead": article.group(1), "text": article.group(2)})
        elif line.startswith(("Căn cứ", "Theo đề nghị", "Xét đề nghị")):
            out.append({"kind": "basis", "text": line})
        else:
            out.append({"kind": "paragraph", "text": line})
    return out


def list_columns() -> list[Column]:
    return [
        Column("number", _("STT"), "int"),
        Column("village", _("Thôn / tổ dân phố")),
        Column("code", _("Mã hộ")),
        Column("head", _("Họ và tên chủ hộ")),
        Column("ethnicity", _("Dân tộc")),
        Column("members", _("Số khẩu"), "int"),
    ]


def move_columns() -> list[Column]:
    return [
        Column("before", _("Phân loại năm trước")),
        Column("now", _("Kết quả rà soát năm nay")),
    ]


def recognition_lists(cycle, area: Area) -> tuple[list[Table], ReviewCycle | None]:
    """The four lists of a review's recognition (poor, near-poor, out of poverty, out of
    near-poverty) within ``area``, and the previous finalised review they are measured from;
    the decision annexes them, the public posting shows them."""
    year = cycle.year
    now = classes_of(cycle, area)
    previous_cycle = previous_finalised(cycle)
    before = classes_of(previous_cycle, area)
    ids = set(now) | set(before)
    households = {
        h["id"]: h
        for h in Household.objects.filter(pk__in=ids).values(
            "id", "code", "head_name", "ethnicity", "village_id"
        )
    }
    units, order = village_order(area)

    def rows(selected: list[int], moves: bool) -> list[dict]:
        selected.sort(
            key=lambda i: (
                order.get(now[i]["village_id"], 0),
                households[i]["code"],
            )
        )
        out = []
        for number, i in enumerate(selected, start=1):
            h = households[i]
            row = {
                "key": h["code"],
                "number": number,
                "village": units.village_label(now[i]["village_id"]),
                "code": h["code"],
                "head": h["head_name"],
                "ethnicity": h["ethnicity"],
                "members": now[i]["members"],
            }
            if moves:
                row["before"] = class_label(before[i]["class"])
                row["now"] = class_label(now[i]["class"])
            out.append(row)
        return out

    poor = [i for i, r in now.items() if r["class"] == POOR]
    near = [i for i, r in now.items() if r["class"] == NEAR_POOR]
    out_poor = [
        i for i, r in now.items() if i in before and before[i]["class"] == POOR != r["class"]
    ]
    out_near = [
        i
        for i, r in now.items()
        if i in before and before[i]["class"] == NEAR_POOR and r["class"] not in (POOR, NEAR_POOR)
    ]
    tables = [
        Table(
            key="poor",
            title=_("Danh sách hộ nghèo năm %(year)s") % {"year": year},
            columns=list_columns(),
            rows=rows(poor, False),
        ),
        Table(
            key="near_poor",
            title=_("Danh sách hộ cận nghèo năm %(year)s") % {"year": year},
            columns=list_columns(),
            rows=rows(near, False),
        ),
        Table(
            key="out_of_poverty",
            title=_("Danh sách hộ thoát nghèo năm %(year)s") % {"year": year},
            columns=list_columns() + move_columns(),
            rows=rows(out_poor, True),
        ),
        Table(
            key="out_of_near_poverty",
            title=_("Danh sách hộ thoát cận nghèo năm %(year)s") % {"year": year},
            columns=list_columns() + move_columns(),
            rows=rows(out_near, True),
        ),
    ]
    return tables, previous_cycle


@register(
    SLUG,
    title=gettext_lazy(
        "Quyết định công nhận hộ nghèo, hộ cận nghèo, hộ thoát nghèo, thoát cận nghèo"
    ),
    personal_tables=("poor", "near_poor", "out_of_poverty", "out_of_near_poverty"),
    row_count=decision_rows,
    default_body=default_body,
)
def review_decision(area: Area, year: int) -> ReviewDocument:
    cycle = cycle_for(area, year)
    tables, previous_cycle = recognition_lists(cycle, area)
    poor, near, out_poor, out_near = (t.rows for t in tables)
    decided = cycle.is_finalised and cycle.decision_number
    reference = number_and_symbol(cycle.decision_number, "QĐ-UBND")
    annex_of = _("(Kèm theo Quyết định số %(number)s/%(symbol)s %(date)s)") % {
        "number": reference["number"] or "\u00a0" * 6,
        "symbol": reference["symbol"],
        "date": date_text(cycle.decision_date, cycle.year),  # Decree 30: "ngày 05 tháng 02…"
    }
    values = {
        **common_values(cycle),
        "XA": cycle.commune.name.upper(),
        "ho_ngheo": format_int(len(poor)),
        "ho_can_ngheo": format_int(len(near)),
        "ho_thoat_ngheo": format_int(len(out_poor)),
        "ho_thoat_can_ngheo": format_int(len(out_near)),
        "so_qd": cycle.decision_number,
    }
    numerals = ("I", "II", "III", "IV")
    annexes = [
        {
            "numeral": numerals[i],
            "title": table.title,
            "count_text": format_int(len(table.rows)),
            "html": partial(table_html, table, [("", table.rows, False)], table.columns),
        }
        for i, table in enumerate(tables)
    ]
    notes = []
    if not decided:
        notes.append(
            _(
                "Dự thảo: đợt rà soát năm %(year)s chưa có quyết định công nhận; danh sách theo "
                "kết quả đã nhập đến nay."
            )
            % {"year": year}
        )
    if previous_cycle is None:
        notes.append(
            _(
                "Chưa có đợt rà soát định kỳ nào đã chốt trước đợt này: không có hộ thoát nghèo, "
                "thoát cận nghèo."
            )
        )
    document_values = {
        "document_year": cycle.decision_date.year if cycle.decision_date else year,
        **{k: v for k, v in reference.items() if v},
        **({"document_date": cycle.decision_date} if cycle.decision_date else {}),
        **({"signer_name": cycle.decision_signer} if cycle.decision_signer else {}),
        **only_if_unset(
            area,
            SLUG,
            {
                "document_type": _("QUYẾT ĐỊNH"),
                "title": _(
                    "Về việc công nhận hộ nghèo, hộ cận nghèo, hộ thoát nghèo, hộ thoát cận nghèo "
                    "năm %(year)s trên địa bàn %(xa)s"
                )
                % {"year": year, "xa": values["xa"]},
                "signing_authority": _("CHỦ TỊCH"),
                "signer_position": "\u00a0",
                "recipients": _(
                    "- Như Điều 3;\n- UBND cấp trên (để báo cáo);\n- Chủ tịch, các PCT UBND xã;\n"
                    "- Lưu: VT."
                ),
            },
        ),
    }
    return ReviewDocument(
        slug=SLUG,
        title=_("Quyết định công nhận hộ nghèo, hộ cận nghèo năm %(year)s") % {"year": year},
        area=area,
        year=year,
        tables=tables,
        footnotes=[],
        provenance={
            "cycle": cycle.pk,
            "previous_cycle": previous_cycle.pk if previous_cycle else None,
        },
        document_type=_("QUYẾT ĐỊNH"),
        symbol="QĐ",
        document_values=document_values,
        body_template="review/documents/decision.html",
        body_context={
            "paragraphs": _paragraphs(body_text(area, SLUG, DEFAULT_BODY, values)),
            "annexes": annexes,
            "annex_of": annex_of,
            "commune": cycle.commune,
            "notes": notes,
        },
        official_closing=False,
    )
