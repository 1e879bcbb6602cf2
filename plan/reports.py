"""The plan document registered with the report engine (slug ``plan``): the report view and
the ``report`` command serve it in every format, like any report."""

from django.utils.translation import gettext_lazy

from reports.registry import register

from .document import plan_report

register(
    "plan",
    title=gettext_lazy("Kế hoạch thực hiện Chương trình (toàn văn, mục I–V và Phụ lục 01)"),
    review_offset=-1,  # the plan of a year starts from the review at the end of the year before
)(plan_report)
