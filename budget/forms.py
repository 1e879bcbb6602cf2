"""Forms of the budget pages. Amounts are entered in đồng ("2.975.000.000" or "2975000000");
the services check the rules and save."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import DATE, BootstrapMixin, ParseOnly, Versioned
from core.numbers import parse_number
from projects.models import SubProject

from .models import BudgetLine, Disbursement, FundingSource, StatedTotal


class MoneyField(forms.Field):
    """Integer đồng; dots and spaces between digit groups are ignored (Vietnamese "1.200.000")."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Đơn vị: đồng, ví dụ 2.975.000.000."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return f"{value:,}".replace(",", ".")
        return value

    def to_python(self, value):
        # Stricter than the site's grammar (core.numbers): a comma is refused rather than read
        # as a decimal mark, and every dot groups digits wherever it stands ("74.300.000").
        text = str(value or "").strip().replace(".", "").replace(" ", "")
        if not text:
            return None
        if "," in text:
            raise ValidationError(
                _("Nhập số tiền bằng đồng, không có phần lẻ (không dùng dấu phẩy).")
            )
        if not text.lstrip("-+").isdigit():
            raise ValidationError(_("Số tiền chỉ gồm chữ số, ví dụ 74.300.000."))
        return int(parse_number(text, integer=True))


def _subprojects(year: int):
    return SubProject.objects.filter(
        project__programme__start_year__lte=year, project__programme__end_year__gte=year
    ).select_related("project")


class BudgetLineForm(ParseOnly, Versioned, BootstrapMixin, forms.ModelForm):
    allocated = MoneyField(label=_("Kinh phí được giao (đồng)"))

    class Meta:
        model = BudgetLine
        fields = ["subproject", "source", "kind", "allocated", "document", "note"]

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subproject"].queryset = _subprojects(year)
        self.fields["subproject"].empty_label = str(_("Chung (không phân theo tiểu dự án)"))
        self.fields["source"].queryset = FundingSource.objects.all()


class DisbursementForm(ParseOnly, BootstrapMixin, forms.ModelForm):
    amount = MoneyField(label=_("Số tiền (đồng)"))

    class Meta:
        model = Disbursement
        fields = ["paid_on", "amount", "document", "note"]
        widgets = {"paid_on": DATE}


class StatedTotalForm(ParseOnly, BootstrapMixin, forms.ModelForm):
    amount = MoneyField(label=_("Tổng số nêu trong văn bản (đồng)"))

    class Meta:
        model = StatedTotal
        fields = ["label", "amount", "sources", "subproject", "document"]
        widgets = {"sources": forms.CheckboxSelectMultiple(attrs={"class": "list-unstyled"})}

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subproject"].queryset = _subprojects(year)
