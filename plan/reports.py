"""The plan document registered with the report engine (slug ``plan``): the report view and
the ``report`` command serve it in every format, like any report. Beside it, ``plan_checks``:
what the data leaves unsettled in the plan (``plan/checks.py``), kept out of the official text."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Area
from reports.registry import register
from reports.tables import Column, Report, Table

from .document import plan_report

register(
    "plan",
    title=gettext_lazy("Kế hoạch thực hiện Chương trình (toàn văn, mục I–V và Phụ lục 01)"),
    review_offset=-1,  # the plan of a year starts from the review at the end of the year before
)(plan_report)


@register(
    "plan_checks",
    title=gettext_lazy("Kiểm tra kế hoạch trước khi ban hành (các cảnh báo không in vào văn bản)"),
    review_offset=-1,
)
def plan_checks_report(area: Area, year: int) -> Report:
    """The plan's checks, one row each, and whether an officer confirmed the plan despite them
    (its PDF is marked "DỰ THẢO" until then)."""
    plan = plan_report(area, year)
    rows = [
        {"key": f"check-{n}", "number": n, "section": c.section, "message": c.message}
        for n, c in enumerate(plan.checks, start=1)
    ]
    if not plan.checks:
        state = _("Không có cảnh báo: kế hoạch in không có dấu “DỰ THẢO”.")
    elif plan.confirmed:
        state = _(
            "Cán bộ đã xác nhận ban hành dù còn các cảnh báo này: kế hoạch in không có dấu "
            "“DỰ THẢO”."
        )
    else:
        state = _(
            "Chưa xác nhận: kế hoạch in mang dấu “DỰ THẢO” đến khi sửa số liệu hoặc xác nhận."
        )
    return Report(
        slug="plan_checks",
        title=_("Các điểm cần kiểm tra trước khi ban hành Kế hoạch năm %(year)s") % {"year": year},
        area=plan.area,
        year=year,
        tables=[
            Table(
                key="checks",
                title=_("Các điểm cần kiểm tra trong kế hoạch năm %(year)s") % {"year": year},
                columns=[
                    Column("number", _("STT"), "int"),
                    Column("section", _("Mục")),
                    Column("message", _("Nội dung cần kiểm tra")),
                ],
                rows=rows,
            )
        ],
        footnotes=[state],
        provenance={"plan_draft": plan.draft, "checks": len(plan.checks)},
        document_type=_("BẢNG KIỂM TRA"),
    )
