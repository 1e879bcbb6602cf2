"""Forms of a cycle's pages. Each only parses; the services check the rules when saving."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DATE, BootstrapMixin, in_vietnamese_order
from households.models import Household, ReviewCycle, ReviewExemption
from indicators.models import PovertyStandard

from .models import Complaint, VillageMeeting


class StandardChoice(forms.ModelChoiceField):
    """A poverty standard with the dates it is in force, so the officer sees which one applies."""

    def label_from_instance(self, obj):
        start = obj.effective_from.strftime("%d/%m/%Y")
        if obj.effective_to is None:
            return _("%(name)s (áp dụng từ %(start)s)") % {"name": obj.name, "start": start}
        return _("%(name)s (áp dụng %(start)s – %(end)s)") % {
            "name": obj.name,
            "start": start,
            "end": obj.effective_to.strftime("%d/%m/%Y"),
        }


class ReviewCycleForm(BootstrapMixin, forms.ModelForm):
    standard = StandardChoice(
        label=_("Chuẩn nghèo"),
        queryset=PovertyStandard.objects.all(),
        required=False,
        empty_label=_("Chuẩn đang áp dụng vào ngày chốt số liệu"),
        help_text=_("Chỉ chọn được chuẩn nghèo đang áp dụng vào ngày chốt số liệu."),
    )

    class Meta:
        model = ReviewCycle
        fields = ["commune", "year", "kind", "reference_date", "standard"]
        widgets = {"reference_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes
        self.fields["commune"].empty_label = None
        in_vietnamese_order(self.fields["commune"])
        # The usual periodic review of this year, and the standard that applies to it.
        year = timezone.localdate().year
        reference_date = datetime.date(year, 12, 14)
        self.initial.setdefault("year", year)
        self.initial.setdefault("kind", ReviewCycle.Kind.PERIODIC)
        self.initial.setdefault("reference_date", reference_date)
        self.initial.setdefault(
            "standard",
            PovertyStandard.objects.in_force_on(reference_date).order_by("-effective_from").first(),
        )

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= timezone.localdate().year + 1:
            raise ValidationError(_("Năm rà soát không hợp lệ."))
        return year


class HouseholdByCode(forms.CharField):
    """A household of the cycle's registry, typed by its code (a commune has a thousand: no list
    to scroll through)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Mã hộ"))
        kwargs.setdefault("max_length", 30)
        super().__init__(*args, **kwargs)
        self.households = Household.objects.none()

    def clean(self, value):
        code = super().clean(value).strip()
        household = self.households.filter(code=code).select_related("village").first()
        if household is None:
            raise ValidationError(
                _("Không tìm thấy hộ có mã “%(code)s” trong danh sách của đợt."),
                params={"code": code},
            )
        return household


class _CycleHouseholdForm(BootstrapMixin, forms.Form):
    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].households = households


class MeetingForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = VillageMeeting
        fields = [
            "held_on",
            "chair",
            "secretary",
            "place",
            "representatives_present",
            "representatives_total",
            "note",
        ]
        widgets = {"held_on": DATE, "note": forms.Textarea(attrs={"rows": 2})}

    def _post_clean(self):  # the service validates the row
        pass


class PostingForm(BootstrapMixin, forms.Form):
    starts_on = forms.DateField(label=_("Ngày bắt đầu niêm yết"), widget=DATE)
    place = forms.CharField(
        label=_("Nơi niêm yết"),
        max_length=300,
        required=False,
        help_text=_("Kết thúc sau 3 ngày làm việc, không tính thứ Bảy, Chủ nhật."),
    )


class ComplaintForm(_CycleHouseholdForm):
    household = HouseholdByCode()
    complainant = forms.CharField(label=_("Người khiếu nại"), max_length=120)
    content = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 2}))
    received_on = forms.DateField(label=_("Ngày tiếp nhận"), widget=DATE)


class ResolveForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Complaint
        fields = ["resolved_on", "resolution"]
        widgets = {"resolved_on": DATE, "resolution": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolved_on"].required = True
        self.fields["resolution"].required = True

    def _post_clean(self):
        pass


class DecisionForm(BootstrapMixin, forms.Form):
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=40)
    decision_date = forms.DateField(label=_("Ngày quyết định"), widget=DATE)
    decision_signer = forms.CharField(label=_("Người ký quyết định"), max_length=120)


class ReopenForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Lý do mở lại"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ExemptionForm(_CycleHouseholdForm):
    household = HouseholdByCode()
    reason = forms.ChoiceField(
        label=_("Lý do không có kết quả"), choices=ReviewExemption.Reason.choices
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)
