"""The documents of the review's middle steps, from their records (``review.models``):

- ``review_minutes``: the minutes of each village meeting (biên bản họp thôn): attendance and
  each household's result and agreement; a commune gets one PDF with every village's minutes;
- ``review_posting``: the list posted publicly (danh sách niêm yết), with the posting dates and
  place: the four lists of the recognition as they stand;
- ``review_complaints``: the complaints register of the posting.

The minutes' wording is the commune's (``DocumentSettings.body``), starting from a default."""

from __future__ import annotations

import re
from functools import partial

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area
from core.formatting import format_int, format_percent, percent
from households.models import Assessment
from reports.documents import document_blocks, in_running_text, place_name
from reports.pdf import table_html
from reports.registry import register
from reports.tables import Column, Table

from ..models import Complaint, MeetingResult, Posting, VillageMeeting
from .common import (
    ReviewDocument,
    body_text,
    class_label,
    common_values,
    cycle_for,
    date_text,
    only_if_unset,
    village_order,
)

MINUTES, POSTING, COMPLAINTS = "review_minutes", "review_posting", "review_complaints"
HEADING = re.compile(r"^[IVX]+\.\s")
TABLE_MARK = "{bang_ket_qua}"

DEFAULT_MINUTES = (
    "Hôm nay, ngày {ngay_hop}, tại {dia_diem}, {thon} tổ chức họp bình xét kết quả rà soát hộ "
    "nghèo, hộ cận nghèo năm {nam} trên địa bàn {xa}.\n"
    "I. THÀNH PHẦN THAM DỰ\n"
    "- Chủ trì: {chu_tri}, Trưởng thôn;\n"
    "- Thư ký: {thu_ky};\n"
    "- Đại diện Ban chỉ đạo rà soát hộ nghèo, hộ cận nghèo xã; đại diện Ủy ban Mặt trận Tổ quốc "
    "Việt Nam xã (giám sát);\n"
    "- Đại diện các hộ gia đình trong thôn: có mặt {co_mat}/{tong_so} đại diện hộ ({ty_le}).\n"
    "II. NỘI DUNG\n"
    "Cuộc họp đã nghe thông báo kết quả rà soát của từng hộ, thảo luận và biểu quyết. Kết quả "
    "bình xét như sau:\n"
    "{bang_ket_qua}\n"
    "III. KẾT LUẬN\n"
    "{ket_luan}\n"
    "Biên bản được lập thành 02 bản, đã đọc lại cho những người dự họp cùng nghe và nhất trí "
    "thông qua./."
)


def default_minutes(area: Area) -> str:
    return DEFAULT_MINUTES


def _meeting_rows(meetings, assessments: dict) -> list[dict]:
    rows = []
    for meeting in meetings:
        results = sorted(meeting.results.all(), key=lambda r: r.household.code)
        for number, result in enumerate(results, start=1):
            h = result.household
            found = assessments.get(h.pk)
            rows.append(
                {
                    "key": f"{meeting.pk}-{h.code}",
                    "village": meeting.village.name,
                    "number": number,
                    "code": h.code,
                    "head": h.head_name,
                    "class": class_label(found.household_class) if found else "",
                    "b2": found.b2_score if found else None,
                    "agreed": _("Nhất trí") if result.agreed else _("Không nhất trí"),
                    "note": result.note,
                    "_meeting": meeting.pk,
                }
            )
    return rows


def _result_columns() -> list[Column]:
    return [
        Column("village", _("Thôn / tổ dân phố")),
        Column("number", _("STT"), "int"),
        Column("code", _("Mã hộ")),
        Column("head", _("Họ và tên chủ hộ")),
        Column("class", _("Kết quả rà soát")),
        Column("b2", _("Điểm B2"), "int"),
        Column("agreed", _("Ý kiến cuộc họp")),
        Column("note", _("Ghi chú")),
    ]


def _conclusion(meeting, rows: list[dict]) -> str:
    if not meeting.quorate:
        return _(
            "Số đại diện hộ có mặt chưa đạt một nửa số đại diện hộ của thôn: cuộc họp không đủ "
            "điều kiện thông qua kết quả rà soát."
        )
    agreed = sum(1 for r in rows if r["agreed"] == _("Nhất trí"))
    return _(
        "Cuộc họp đủ điều kiện (có mặt từ một nửa số đại diện hộ trở lên). %(agreed)s/%(all)s hộ "
        "được nhất trí kết quả rà soát; %(back)s hộ không được nhất trí, trả lại bước điều tra, "
        "rà soát."
    ) % {
        "agreed": format_int(agreed),
        "all": format_int(len(rows)),
        "back": format_int(len(rows) - agreed),
    }


def _paragraphs(lines: list[str]) -> list[dict]:
    out = []
    for line in lines:
        if line == TABLE_MARK:
            out.append({"kind": "table"})
        elif HEADING.match(line):
            out.append({"kind": "heading", "text": line})
        elif line.startswith(("- ", "+ ")):
            out.append({"kind": "bullet", "text": line})
        else:
            out.append({"kind": "paragraph", "text": line})
    return out


@register(
    MINUTES,
    title=gettext_lazy("Biên bản họp thôn bình xét kết quả rà soát"),
    personal_tables=("results",),
    default_body=default_minutes,
)
def review_minutes(area: Area, year: int) -> ReviewDocument:
    cycle = cycle_for(area, year)
    _units, order = village_order(area)
    meetings = sorted(
        VillageMeeting.objects.filter(cycle=cycle)
        .within(area)
        .select_related("village")
        # the households joined to the results, not prefetched: a prefetch through the hidden
        # relation (related_name="+") asks for them as one OR per household, which SQLite
        # refuses beyond 1,000 ("Expression tree is too large")
        .prefetch_related(
            Prefetch("results", queryset=MeetingResult.objects.select_related("household"))
        ),
        key=lambda m: order.get(m.village_id, 0),
    )
    assessments = {
        a.household_id: a
        for a in Assessment.objects.filter(cycle=cycle).within(area).select_related("standard")
    }
    rows = _meeting_rows(meetings, assessments)
    columns = _result_columns()
    table = Table(
        key="results",
        title=_("Kết quả bình xét từng hộ"),
        columns=columns,
        rows=rows,
        group_by="village",
    )
    summary = Table(
        key="meetings",
        title=_("Các cuộc họp thôn"),
        columns=[
            Column("village", _("Thôn / tổ dân phố")),
            Column("held_on", _("Ngày họp")),
            Column("chair", _("Chủ trì")),
            Column("present", _("Đại diện hộ có mặt"), "int"),
            Column("total", _("Tổng số đại diện hộ"), "int"),
            Column("rate", _("Tỷ lệ có mặt"), "percent"),
            Column("quorate", _("Đủ điều kiện")),
            Column("agreed", _("Số hộ nhất trí"), "int"),
            Column("not_agreed", _("Số hộ không nhất trí"), "int"),
        ],
        rows=[],
    )
    report = ReviewDocument(
        slug=MINUTES,
        title=_("Biên bản họp thôn năm %(year)s") % {"year": year},
        area=area,
        year=year,
        tables=[summary, table],
        document_type=_("BIÊN BẢN"),
        symbol="BB",
        official_heading=False,
        official_closing=False,
        word_like=False,
        body_template="review/documents/minutes.html",
    )
    commune = cycle.commune
    documents = []
    for meeting in meetings:
        own = [r for r in rows if r["_meeting"] == meeting.pk]
        own_table = Table(key="results", title="", columns=table.shown_columns, rows=own)
        agreed = sum(1 for r in own if r["agreed"] == _("Nhất trí"))
        summary.rows.append(
            {
                "key": str(meeting.pk),
                "village": meeting.village.name,
                "held_on": date_text(meeting.held_on),
                "chair": meeting.chair,
                "present": meeting.representatives_present,
                "total": meeting.representatives_total,
                "rate": percent(meeting.representatives_present, meeting.representatives_total),
                "quorate": _("Có") if meeting.quorate else _("Không"),
                "agreed": agreed,
                "not_agreed": len(own) - agreed,
            }
        )
        values = {
            **common_values(cycle),
            "thon": meeting.village.name,
            "ngay_hop": date_text(meeting.held_on),
            "dia_diem": meeting.place or _("nhà văn hóa thôn"),
            "chu_tri": meeting.chair,
            "thu_ky": meeting.secretary or "\u2026" * 6,
            "co_mat": format_int(meeting.representatives_present),
            "tong_so": format_int(meeting.representatives_total),
            "ty_le": format_percent(
                percent(meeting.representatives_present, meeting.representatives_total)
            ),
            "ket_luan": _conclusion(meeting, own),
        }
        blocks = document_blocks(
            report,
            {
                "superior_body": _("UBND %(xa)s") % {"xa": commune.name.upper()},
                "issuing_body": meeting.village.name.upper(),
                "place": place_name(commune),
                "document_date": meeting.held_on,
                "document_year": year,
                "document_type": _("BIÊN BẢN"),
                "title": _("Họp thôn bình xét kết quả rà soát hộ nghèo, hộ cận nghèo năm %(year)s")
                % {"year": year},
                "number": "",
                "symbol": "BB",
            },
        )
        documents.append(
            {
                "blocks": blocks,
                "paragraphs": _paragraphs(body_text(area, MINUTES, DEFAULT_MINUTES, values)),
                "table": partial(table_html, own_table, [("", own, False)], own_table.columns),
                "chair": meeting.chair,
                "secretary": meeting.secretary,
            }
        )
    report.body_context = {"documents": documents, "area": area}
    report.footnotes = (
        [] if meetings else [_("Chưa có biên bản họp thôn nào trong đợt rà soát này.")]
    )
    return report


@register(
    POSTING,
    title=gettext_lazy("Danh sách niêm yết công khai kết quả rà soát"),
    personal_tables=("poor", "near_poor", "out_of_poverty", "out_of_near_poverty"),
)
def review_posting(area: Area, year: int) -> ReviewDocument:
    from .decision import recognition_lists  # registered after the documents of this module

    cycle = cycle_for(area, year)
    posting = Posting.objects.filter(cycle=cycle).first()
    lists, _previous = recognition_lists(cycle, area)
    dates = Table(
        key="posting",
        title=_("Thời gian và địa điểm niêm yết"),
        columns=[
            Column("label", _("Nội dung")),
            Column("value", _("Ghi chép")),
        ],
        rows=[
            {
                "key": "from",
                "label": _("Niêm yết từ ngày"),
                "value": date_text(posting.starts_on) if posting else "",
            },
            {
                "key": "to",
                "label": _("Đến hết ngày"),
                "value": date_text(posting.ends_on) if posting else "",
            },
            {
                "key": "place",
                "label": _("Nơi niêm yết"),
                "value": posting.place if posting else "",
            },
        ],
        footnotes=[
            _("Thời gian niêm yết: 03 ngày làm việc (không kể thứ Bảy, Chủ nhật).")
            if posting
            else _("Chưa ghi thời gian niêm yết của đợt rà soát này.")
        ],
    )
    return ReviewDocument(
        slug=POSTING,
        title=_("Danh sách niêm yết công khai kết quả rà soát năm %(year)s") % {"year": year},
        area=area,
        year=year,
        tables=[dates, *lists],
        document_type=_("DANH SÁCH"),
        symbol="DS",
        document_values={
            "document_year": year,
            **({"document_date": posting.starts_on} if posting else {}),
            **only_if_unset(
                area,
                POSTING,
                {
                    "title": _(
                        "Hộ nghèo, hộ cận nghèo, hộ thoát nghèo, hộ thoát cận nghèo năm %(year)s "
                        "niêm yết công khai trên địa bàn %(area)s"
                    )
                    % {"year": year, "area": in_running_text(area.name)}
                },
            ),
        },
        provenance={"cycle": cycle.pk, "posting": posting.pk if posting else None},
    )


@register(
    COMPLAINTS,
    title=gettext_lazy("Sổ tiếp nhận khiếu nại trong thời gian niêm yết"),
    personal_tables=("complaints",),
)
def review_complaints(area: Area, year: int) -> ReviewDocument:
    cycle = cycle_for(area, year)
    complaints = list(
        Complaint.objects.filter(cycle=cycle)
        .within(area)
        .select_related("household__village")
        .order_by("received_on", "pk")
    )
    rows = [
        {
            "key": str(c.pk),
            "number": number,
            "received_on": date_text(c.received_on),
            "complainant": c.complainant,
            "household": f"{c.household.code} · {c.household.head_name}",
            "village": c.household.village.name,
            "content": c.content,
            "resolved_on": date_text(c.resolved_on),
            "resolution": c.resolution if c.resolved_on else _("Đang giải quyết"),
        }
        for number, c in enumerate(complaints, start=1)
    ]
    open_count = sum(1 for c in complaints if c.resolved_on is None)
    return ReviewDocument(
        slug=COMPLAINTS,
        title=_("Sổ tiếp nhận khiếu nại năm %(year)s") % {"year": year},
        area=area,
        year=year,
        tables=[
            Table(
                key="complaints",
                sheet=_("Sổ khiếu nại"),
                title=_("Sổ tiếp nhận và giải quyết khiếu nại về kết quả rà soát"),
                columns=[
                    Column("number", _("STT"), "int"),
                    Column("received_on", _("Ngày tiếp nhận")),
                    Column("complainant", _("Người khiếu nại")),
                    Column("household", _("Hộ bị khiếu nại")),
                    Column("village", _("Thôn")),
                    Column("content", _("Nội dung")),
                    Column("resolved_on", _("Ngày giải quyết")),
                    Column("resolution", _("Kết quả giải quyết")),
                ],
                rows=rows,
            )
        ],
        footnotes=[
            _("Tổng số khiếu nại: %(all)s; đã giải quyết: %(done)s; đang giải quyết: %(open)s.")
            % {
                "all": format_int(len(rows)),
                "done": format_int(len(rows) - open_count),
                "open": format_int(open_count),
            }
        ],
        landscape=True,
        document_type=_("SỔ"),
        symbol="SKN",
        document_values={
            "document_year": year,
            **only_if_unset(
                area,
                COMPLAINTS,
                {
                    "title": _(
                        "Tiếp nhận và giải quyết khiếu nại về kết quả rà soát hộ nghèo, hộ cận "
                        "nghèo năm %(year)s trên địa bàn %(area)s"
                    )
                    % {"year": year, "area": in_running_text(area.name)}
                },
            ),
        },
        provenance={"cycle": cycle.pk},
    )
