"""Forms of the pathway pages. Each only parses; ``exits.services`` checks the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.formatting import format_int
from core.forms import DATE, BootstrapMixin

from .models import FollowUpVisit, SupportNorm


class NormChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: SupportNorm) -> str:
        need = obj.indicator.code if obj.indicator_id else _("thu nhập")
        return _("%(item)s (%(need)s) · %(amount)s đ/%(unit)s") % {
            "item": obj.item,
            "need": need,
            "amount": format_int(obj.amount),
            "unit": obj.get_unit_display(),
        }


class PlanForm(BootstrapMixin, forms.Form):
    planned = forms.BooleanField(label=_("Hộ dự kiến thoát nghèo trong năm"), required=False)
    helper = forms.CharField(
        label=_("Người, tổ chức giúp đỡ"),
        max_length=200,
        required=False,
        help_text=_("Đảng viên, đoàn thể được phân công giúp đỡ hộ."),
    )
    norms = NormChoice(
        label=_("Hỗ trợ dự kiến"),
        queryset=SupportNorm.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, norms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["norms"].queryset = SupportNorm.objects.filter(pk__in=[n.pk for n in norms])


class RegisterForm(BootstrapMixin, forms.Form):
    registered = forms.BooleanField(label=_("Hộ đăng ký thoát nghèo"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class BeneficiaryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.assignment.subproject.code} · {obj.description}"


class VisitForm(BootstrapMixin, forms.ModelForm):
    """A visit; the support delivered may point to one of the household's beneficiary records of
    the year (the sub-project that paid)."""

    class Meta:
        model = FollowUpVisit
        fields = ["visited_on", "visitor", "support", "beneficiary", "note"]
        widgets = {"visited_on": DATE, "note": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"beneficiary": BeneficiaryChoice}

    def __init__(self, *args, beneficiaries=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].queryset = beneficiaries

    def _post_clean(self):  # the service validates the row
        pass
