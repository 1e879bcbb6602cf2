"""Forms of the projects pages. They parse input; the services check the rules and save."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core.collation import by_name
from core.forms import (
    DATE,
    BootstrapMixin,
    MoneyField,
    ParseOnly,
    Versioned,
    in_vietnamese_order,
)
from households.models import Household

from .models import Activity, Assignment, Beneficiary, Responsibility, SubProject, Unit


class AssignmentForm(ParseOnly, Versioned, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["subproject", "lead_unit", "officer_in_charge", "coordinating_units", "tasks"]
        widgets = {
            "coordinating_units": forms.CheckboxSelectMultiple(attrs={"class": "list-unstyled"}),
            "tasks": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, commune: Area, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(commune=commune)
        for name in ("lead_unit", "officer_in_charge", "coordinating_units"):
            self.fields[name].queryset = units
        self.fields["subproject"].queryset = SubProject.objects.filter(
            project__programme__start_year__lte=year, project__programme__end_year__gte=year
        ).select_related("project")
        if self.instance.pk:
            self.fields["subproject"].disabled = True


class ActivityForm(ParseOnly, Versioned, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["title", "area", "planned_start", "planned_end", "status", "progress", "result"]
        widgets = {
            "planned_start": DATE,
            "planned_end": DATE,
            "result": forms.Textarea({"rows": 3}),
        }

    def __init__(self, *args, commune: Area, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(pk=commune.pk) | commune.children.all()
        self.fields["area"].empty_label = None
        # the commune first, then its villages
        in_vietnamese_order(self.fields["area"], key=lambda a: (a.pk != commune.pk, by_name(a)))


class ProgressForm(ParseOnly, Versioned, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["status", "progress", "result"]
        widgets = {"result": forms.Textarea({"rows": 3})}


class BeneficiaryForm(BootstrapMixin, forms.Form):
    household_code = forms.CharField(
        label=_("Mã hộ"),
        max_length=30,
        help_text=_("Gõ mã hộ; danh sách gợi ý các hộ bạn quản lý."),
    )
    support_kind = forms.ChoiceField(label=_("Hình thức hỗ trợ"), choices=Beneficiary.Kind.choices)
    description = forms.CharField(label=_("Nội dung hỗ trợ"), max_length=300)
    value = MoneyField.for_column(
        Beneficiary._meta.get_field("value"),
        label=_("Số tiền hoặc giá trị hiện vật (đồng)"),
        required=False,
    )
    supported_on = forms.DateField(label=_("Ngày hỗ trợ"), required=False, widget=DATE)
    activity = forms.ModelChoiceField(
        label=_("Hoạt động"), queryset=Activity.objects.none(), required=False
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)

    def __init__(self, *args, assignment: Assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        self.fields["household_code"].widget.attrs["list"] = "household-codes"
        self.fields["activity"].queryset = assignment.activities.all()

    def clean_household_code(self) -> Household:
        code = self.cleaned_data["household_code"].strip()
        household = Household.objects.filter(commune=self.assignment.commune, code=code).first()
        if household is None:
            raise ValidationError(
                _("Không có hộ mã “%(code)s” ở %(commune)s.")
                % {"code": code, "commune": self.assignment.commune.name}
            )
        return household


class UnitForm(ParseOnly, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "kind", "order"]


class ResponsibilityForm(ParseOnly, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Responsibility
        fields = ["heading", "order", "duties"]
        widgets = {"duties": forms.Textarea({"rows": 10})}


class BulkBeneficiaryForm(BootstrapMixin, forms.Form):
    """The support given to the households ticked in the list page (``beneficiary_bulk``): one
    sub-project of their commune (or one of its activities), and the fields of a single record."""

    target = forms.ChoiceField(
        label=_("Tiểu dự án / hoạt động"),
        help_text=_("Các tiểu dự án được phân công cho xã, năm gần nhất trước."),
    )
    support_kind = BeneficiaryForm.base_fields["support_kind"]
    description = BeneficiaryForm.base_fields["description"]
    value = BeneficiaryForm.base_fields["value"]
    supported_on = BeneficiaryForm.base_fields["supported_on"]
    note = BeneficiaryForm.base_fields["note"]

    def __init__(self, *args, assignments, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets: dict[str, tuple[Assignment, Activity | None]] = {}
        groups: dict[int, list[tuple[str, str]]] = {}
        for assignment in assignments:
            sub = assignment.subproject
            name = f"{sub.label}: {sub.localized_name}"
            options = groups.setdefault(assignment.year, [])
            self.targets[f"a{assignment.pk}"] = (assignment, None)
            options.append((f"a{assignment.pk}", name))
            for activity in assignment.activities.all():
                key = f"a{assignment.pk}-{activity.pk}"
                self.targets[key] = (assignment, activity)
                options.append((key, f"{name} — {activity.title}"))
        self.fields["target"].choices = [("", "—")] + [
            (str(year), options) for year, options in groups.items()
        ]

    def clean_target(self) -> tuple[Assignment, Activity | None]:
        return self.targets[self.cleaned_data["target"]]
