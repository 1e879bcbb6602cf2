"""Forms of the budget pages. Amounts are entered in đồng ("2.975.000.000", "2975000000" or
"2,975 tỷ"); the services check the rules and save."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DATE, BootstrapMixin, MoneyField, ParseOnly, Versioned
from projects.models import SubProject

from .models import BudgetLine, Disbursement, FundingSource, StatedTotal


def money(model, name: str, label) -> MoneyField:
    """The site's amount field (core.forms.MoneyField: "2.975.000.000", "74 300 000", "2,975 tỷ")
    for a column of ``model``, refusing what the column cannot hold."""
    return MoneyField.for_column(
        model._meta.get_field(name),
        label=label,
        help_text=_("Đơn vị: đồng, ví dụ 2.975.000.000 hoặc 2,975 tỷ."),
    )


def _subprojects(year: int):
    return SubProject.objects.filter(
        project__programme__start_year__lte=year, project__programme__end_year__gte=year
    ).select_related("project")


class BudgetLineForm(ParseOnly, Versioned, BootstrapMixin, forms.ModelForm):
    allocated = money(BudgetLine, "allocated", _("Kinh phí được giao (đồng)"))

    class Meta:
        model = BudgetLine
        fields = ["subproject", "source", "kind", "allocated", "document", "note"]

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subproject"].queryset = _subprojects(year)
        self.fields["subproject"].empty_label = str(_("Chung (không phân theo tiểu dự án)"))
        self.fields["source"].queryset = FundingSource.objects.all()


class DisbursementForm(ParseOnly, BootstrapMixin, forms.ModelForm):
    amount = money(Disbursement, "amount", _("Số tiền (đồng)"))

    class Meta:
        model = Disbursement
        fields = ["paid_on", "amount", "document", "note"]
        widgets = {"paid_on": DATE}


class StatedTotalForm(ParseOnly, BootstrapMixin, forms.ModelForm):
    amount = money(StatedTotal, "amount", _("Tổng số nêu trong văn bản (đồng)"))

    class Meta:
        model = StatedTotal
        fields = ["label", "amount", "sources", "subproject", "document"]
        widgets = {"sources": forms.CheckboxSelectMultiple(attrs={"class": "list-unstyled"})}

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subproject"].queryset = _subprojects(year)
