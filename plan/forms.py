"""The forms of the plan pages: one narrative part, and the plan's number and date."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DATE, BootstrapMixin


class PlanTextForm(BootstrapMixin, forms.Form):
    # The digest of the text the editor started from (services.plan_text_digest).
    seen = forms.CharField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(
        label=_("Nội dung"),
        required=False,
        widget=forms.Textarea({"rows": 16}),
        help_text=_(
            "Mỗi dòng một đoạn; dòng bắt đầu bằng “- ” hoặc “+ ” là gạch đầu dòng; dòng như "
            "“3.1. Việc làm” là tiêu đề mục."
        ),
    )


class PlanDetailsForm(BootstrapMixin, forms.Form):
    number = forms.CharField(
        label=_("Số văn bản"),
        max_length=20,
        required=False,
        help_text=_("Để trống để điền tay khi ký."),
    )
    issued_on = forms.DateField(label=_("Ngày ban hành"), required=False, widget=DATE)
