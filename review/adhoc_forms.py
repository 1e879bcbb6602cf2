"""The forms of an ad-hoc review's steps. They only parse: the rules (dates, order of the steps)
are the services' (``adhoc_services``), whose messages ``core.forms.attach_errors`` shows here."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DATE, BootstrapMixin, ParseOnly, in_vietnamese_order
from households.models import ReviewRequest

from .adhoc_services import REASON_MAX


class RequestForm(BootstrapMixin, ParseOnly, forms.ModelForm):
    class Meta:
        model = ReviewRequest
        fields = ["kind", "received_on", "applicant", "note"]
        widgets = {
            "kind": forms.RadioSelect,
            "received_on": DATE,
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "kind": _("Mẫu 01: đề nghị rà soát; Mẫu 04: đề nghị công nhận thoát nghèo."),
            "applicant": _("Để trống nếu chủ hộ làm đơn."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-check-input"
        self.initial.setdefault("received_on", timezone.localdate())


class ResultStartForm(BootstrapMixin, forms.Form):
    review_date = forms.DateField(
        label=_("Ngày rà soát"),
        widget=DATE,
        help_text=_("Kết quả được nhập vào đợt rà soát thường xuyên của tháng này."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("review_date", timezone.localdate())


class DecisionForm(BootstrapMixin, forms.Form):
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=40)
    decision_date = forms.DateField(label=_("Ngày quyết định"), widget=DATE)


class WithdrawForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Lý do rút đơn / không xét"),
        max_length=REASON_MAX,
        help_text=_("Được lưu vào lịch sử của đề nghị."),
    )


class RequestFilterForm(BootstrapMixin, forms.Form):
    commune = forms.ModelChoiceField(label=_("Xã"), queryset=None, required=False)
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        choices=[("", _("Tất cả"))] + list(ReviewRequest.Status.choices),
        required=False,
    )

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes
        self.fields["commune"].empty_label = None
        in_vietnamese_order(self.fields["commune"])
