from django import forms
from django.utils.translation import gettext_lazy as _

from core.collation import by_name
from core.forms import NumberField, in_vietnamese_order
from indicators.models import ProgressRecord, Target

from .documents import FIELDS
from .models import DocumentSettings

DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def place_order(area) -> tuple:
    """A commune before its villages, each level in Vietnamese order of its names."""
    return area.path.count("/"), by_name(area)


def target_order(target) -> tuple:
    return place_order(target.area), target.metric


def _bootstrap(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        elif not isinstance(widget, forms.HiddenInput):
            widget.attrs.setdefault("class", "form-control")
    return form


class TargetForm(forms.Form):
    area = forms.ModelChoiceField(queryset=None, label=_("Địa bàn"))
    metric = forms.ChoiceField(choices=Target.Metric.choices, label=_("Chỉ tiêu"))
    value = NumberField.for_column(
        Target._meta.get_field("value"), label=_("Giá trị"), help_text=_("Ví dụ: 30 hoặc 7,64")
    )
    source = forms.CharField(label=_("Nguồn"), max_length=300)

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        in_vietnamese_order(self.fields["area"], key=place_order)
        _bootstrap(self)


class ProgressForm(forms.Form):
    target = forms.ModelChoiceField(queryset=None, label=_("Chỉ tiêu"))
    as_of = forms.DateField(label=_("Số liệu đến ngày"), widget=DATE_INPUT)
    value = NumberField.for_column(
        ProgressRecord._meta.get_field("value"), label=_("Giá trị đạt được")
    )
    source = forms.CharField(label=_("Nguồn"), max_length=300)

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets
        in_vietnamese_order(self.fields["target"], key=target_order)
        _bootstrap(self)


class StatedForm(forms.Form):
    """The document whose figures are entered, and a table pasted from it. The figures
    themselves are inputs beside the table's cells (``reports.reconcile_page``)."""

    reference = forms.CharField(
        label=_("Văn bản"),
        max_length=300,
        required=False,  # needed to save, not to read a pasted table
        help_text=_("Ví dụ: Kế hoạch số 193/KH-UBND ngày 16/4/2024, mục I."),
    )
    pasted = forms.CharField(
        label=_("Dán bảng từ văn bản"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_(
            "Chép bảng trong văn bản (Word hoặc Excel) rồi dán vào đây: mỗi dòng của bảng một "
            "dòng, số viết như văn bản (1.295; 37,75 %). Các dòng được nhận theo tên dòng (Hộ "
            "nghèo, Chỉ số 1.1…) hoặc theo thứ tự."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class DocumentSettingsForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = DocumentSettings
        fields = list(FIELDS)
        widgets = {
            "issuing_body": forms.Textarea(attrs={"rows": 2}),
            "signing_authority": forms.Textarea(attrs={"rows": 3}),
            "recipients": forms.Textarea(attrs={"rows": 6}),
            "body": forms.Textarea(attrs={"rows": 18}),
            "document_date": DATE_INPUT,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)
