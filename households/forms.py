"""Forms for the registry and the review. Every field is validated on the server; the services
re-check the rules when saving."""

from __future__ import annotations

import datetime
import html
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core.forms import BootstrapMixin, MoneyField, NumberField, in_vietnamese_order

from . import bulkregistry, services
from .bulkregistry import MEMBER_IMPORT_FIELDS
from .models import Assessment, Household, Member, ReviewCycle, citizen_id_validator


class QuickSelect(forms.Select):
    """A ``<select>`` written out in Python rather than through a template per option.

    Django's ``Select`` renders ``select_option.html`` once per option; the household list's
    filter form has about 60 options, and that rendering was a large share of the page's time. The
    options, their values and which one is selected come from ``Select.get_context`` as usual, so
    the output is the same markup (tested against the stock widget)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group_name, options, _index in widget["optgroups"]:
            rows = "".join(
                f"<option{_attributes({'value': o['value'], **o['attrs']})}>"
                f"{html.escape(str(o['label']))}</option>"
                for o in options
            )
            parts.append(
                f'<optgroup label="{html.escape(str(group_name))}">{rows}</optgroup>'
                if group_name
                else rows
            )
        return mark_safe(  # every value and label above went through html.escape
            f'<select name="{html.escape(widget["name"])}"{_attributes(widget["attrs"])}>'
            f"{''.join(parts)}</select>"
        )


def _attributes(attrs: dict) -> str:
    """``flatatt`` with the standard library's escape (Django's ``escape`` is the same function
    wrapped in a SafeString): True gives a bare attribute, False and None none."""
    return "".join(
        f" {key}" if value is True else f' {key}="{html.escape(str(value))}"'
        for key, value in attrs.items()
        if value is not False and value is not None
    )


class HouseholdForm(BootstrapMixin, forms.ModelForm):
    # The number of members is not typed: it is the member rows kept (MemberFormSet.kept_count).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    floor_area_m2 = NumberField.for_column(
        Household._meta.get_field("floor_area_m2"),
        minimum=Decimal("0.1"),
        maximum=services.FLOOR_AREA_MAX,
        unit="m²",
        error_messages={"min_value": _("Diện tích nhà ở phải lớn hơn 0 m².")},
    )

    class Meta:
        model = Household
        # What an import sets, but in a village chosen here; leaving the registry has its own form.
        fields = [
            "village",
            *(f for f in bulkregistry.HOUSEHOLD_IMPORT_FIELDS if f != "left_registry_on"),
            "joined_registry_on",
            "joined_how",
        ]
        widgets = {"joined_registry_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["village"].empty_label = None
        in_vietnamese_order(self.fields["village"])
        self.fields["joined_how"].required = False  # left out: "on the registry from the start"
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_joined_how(self):
        return self.cleaned_data.get("joined_how") or Household.Joined.ORIGINAL

    def clean(self):
        cleaned = super().clean()
        joined, how = cleaned.get("joined_registry_on"), cleaned.get("joined_how")
        left = self.instance.left_registry_on if self.instance.pk else None
        if joined is not None and left is not None and joined > left:
            self.add_error(
                "joined_registry_on",
                _(
                    "Ngày vào danh sách (%(joined)s) phải trước hoặc bằng ngày ra khỏi danh sách "
                    "(%(left)s)."
                )
                % {"joined": joined.strftime("%d/%m/%Y"), "left": left.strftime("%d/%m/%Y")},
            )
        if joined is not None and joined > timezone.localdate():
            self.add_error("joined_registry_on", _("Ngày vào danh sách không được sau hôm nay."))
        if joined is not None and how == Household.Joined.ORIGINAL:
            self.add_error(
                "joined_how",
                _("Hộ có ngày vào danh sách: hãy chọn lý do (hộ mới, tách hộ, chuyển đến)."),
            )
        if joined is None and how != Household.Joined.ORIGINAL:
            self.add_error("joined_registry_on", _("Hãy nhập ngày hộ vào danh sách."))
        village = cleaned.get("village")
        code = cleaned.get("code")
        if village and code:
            clash = Household.objects.filter(commune_id=village.parent_id, code=code.strip())
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("code", _("Mã hộ này đã có trong xã."))
        return cleaned


class MemberForm(BootstrapMixin, forms.ModelForm):
    # Asked when an existing member's row is removed (BaseMemberFormSet.clean checks them).
    removal_reason = forms.ChoiceField(
        label=_("Lý do bỏ khỏi hộ"),
        required=False,
        choices=[("", "—"), *services.Removal.choices],
    )
    removal_note = forms.CharField(
        label=_("Ghi chú lý do"), required=False, max_length=services.REMOVAL_NOTE_MAX
    )

    class Meta:
        model = Member
        fields = list(MEMBER_IMPORT_FIELDS)  # what the Excel import reads and the export writes
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_citizen_id(self):
        value = (self.cleaned_data.get("citizen_id") or "").strip()
        if value:
            citizen_id_validator(value)
        return value

    def _get_validation_exclusions(self):
        # The citizen ID is unique in the whole database: the model's check here would answer,
        # for any number, whether someone anywhere holds it. services.members_save checks it
        # when writing, naming the holder only within the household's village
        # (docs/decisions-import.md); its pattern is checked above.
        exclusions = super()._get_validation_exclusions()
        exclusions.add("citizen_id")
        return exclusions

    def clean_date_of_birth(self):
        born = self.cleaned_data.get("date_of_birth")
        if born and born > timezone.localdate():
            raise ValidationError(_("Ngày sinh không thể ở tương lai."))
        if born and born < datetime.date(1890, 1, 1):
            raise ValidationError(_("Ngày sinh không hợp lệ."))
        return born


class BaseMemberFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen: dict[str, int] = {}
        for index, form in enumerate(self.forms):
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            citizen_id = (form.cleaned_data.get("citizen_id") or "").strip()
            if citizen_id in seen:
                form.add_error(
                    "citizen_id",
                    _("Số CCCD trùng với thành viên dòng %(n)s.") % {"n": seen[citizen_id]},
                )
            elif citizen_id:
                seen[citizen_id] = index + 1
        self._check_removals()
        kept = self.kept_count
        if not kept:
            raise ValidationError(_("Hộ phải có ít nhất một thành viên."))
        if kept > services.MEMBER_COUNT_MAX:
            raise ValidationError(
                _("Một hộ có tối đa %(n)s thành viên.") % {"n": services.MEMBER_COUNT_MAX}
            )

    def _check_removals(self) -> None:
        """An existing member removed needs a reason ("other" with a note). The formset ignores
        the errors of rows marked for deletion, so the refusal is also the formset's."""
        missing = False
        for form in self._removed_forms():
            data = getattr(form, "cleaned_data", None) or {}
            reason, note = data.get("removal_reason"), (data.get("removal_note") or "").strip()
            if not reason:
                form.add_error("removal_reason", _("Hãy chọn lý do bỏ thành viên này khỏi hộ."))
                missing = True
            elif reason == services.Removal.OTHER and not note:
                form.add_error("removal_note", _("Lý do “Khác”: hãy ghi rõ lý do."))
                missing = True
        if missing:
            raise ValidationError(_("Có thành viên bị bỏ khỏi hộ mà chưa ghi lý do."))

    def removals(self) -> list:
        return [
            services.MemberRemoval(
                f.instance, f.cleaned_data["removal_reason"], f.cleaned_data.get("removal_note", "")
            )
            for f in self._removed_forms()
        ]

    def _removed_forms(self) -> list:
        """The rows of existing members marked for removal (``deleted_forms`` is empty while
        the formset is being cleaned)."""
        return [f for f in self.forms if f.instance.pk and self._should_delete_form(f)]

    @property
    def splits(self) -> bool:
        """Whether a removed member goes to a new household (the split form is then required)."""
        return any(r.reason == services.Removal.SPLIT for r in self.removals())

    @property
    def kept_count(self) -> int:
        """Members the household will have after saving (existing or filled in, not removed)."""
        count = 0
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data.get("DELETE") and (form.instance.pk or form.has_changed()):
                count += 1
        return count


class SplitForm(BootstrapMixin, forms.Form):
    """The new household of the members removed as "split" (services.Split)."""

    code = forms.CharField(
        label=_("Mã hộ mới (tách hộ)"),
        required=False,
        max_length=Household._meta.get_field("code").max_length,
        help_text=_("Bắt buộc khi có thành viên tách hộ; không trùng mã hộ khác trong xã."),
    )
    on = forms.DateField(
        label=_("Ngày tách hộ"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Ngày hộ mới vào danh sách; để trống là hôm nay."),
    )

    def split(self):
        return services.Split(self.cleaned_data.get("code") or "", self.cleaned_data.get("on"))


MemberFormSet = forms.inlineformset_factory(
    Household,
    Member,
    form=MemberForm,
    formset=BaseMemberFormSet,
    extra=1,
    can_delete=True,
)


class ReviewForm(BootstrapMixin, forms.Form):
    """Income and/or B1 score, and one checkbox per indicator of the cycle's standard."""

    income_per_capita = MoneyField.for_column(
        Assessment._meta.get_field("income_per_capita"),
        label=_("Thu nhập bình quân (đồng/người/tháng)"),
        maximum=services.INCOME_MAX,
        unit=_("đ/người/tháng"),
    )
    b1_score = NumberField.for_column(
        Assessment._meta.get_field("b1_score"), label=_("Điểm B1"), unit=_("điểm")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, indicators, derived, standard=None, **kwargs):
        super().__init__(*args, **kwargs)
        # the maximum is a setting: read when the form is built
        self.fields["b1_score"].max_value = services.b1_score_max()
        if standard is not None:  # the plausible income is data of the cycle's standard
            self.fields["income_per_capita"].plausible = (
                standard.income_plausible_min,
                standard.income_plausible_max,
            )
        self.indicators = indicators
        self.derived = derived
        for indicator in indicators:
            key = indicator.code.replace(".", "_")
            self.fields[f"ind_{key}"] = forms.BooleanField(
                label=f"{indicator.code} {indicator.localized_name}", required=False
            )
            self.fields[f"reason_{key}"] = forms.CharField(
                label=_("Lý do khác với dữ liệu"), required=False, max_length=300
            )
        self.style_widgets()

    def rows(self):
        """(dimension, [(indicator, checkbox, reason field, derived value)]) for the template."""
        groups: list = []
        for indicator in self.indicators:
            key = indicator.code.replace(".", "_")
            item = (
                indicator,
                self[f"ind_{key}"],
                self[f"reason_{key}"],
                self.derived.get(indicator.code),
            )
            if groups and groups[-1][0] == indicator.dimension:
                groups[-1][1].append(item)
            else:
                groups.append((indicator.dimension, [item]))
        return groups

    def deprived(self) -> list[str]:
        return [
            i.code
            for i in self.indicators
            if self.cleaned_data.get(f"ind_{i.code.replace('.', '_')}")
        ]

    def clean(self):
        cleaned = super().clean()
        missing = cleaned.get("income_per_capita") is None and cleaned.get("b1_score") is None
        invalid = self.has_error("income_per_capita") or self.has_error("b1_score")
        if missing and not invalid:
            raise ValidationError(_("Cần nhập thu nhập bình quân đầu người hoặc điểm B1."))
        for indicator in self.indicators:
            key = indicator.code.replace(".", "_")
            derived = self.derived.get(indicator.code)
            ticked = bool(cleaned.get(f"ind_{key}"))
            if derived is not None and derived != ticked and not cleaned.get(f"reason_{key}"):
                self.add_error(
                    f"reason_{key}",
                    _("Khác với dữ liệu của hộ (%(derived)s): hãy ghi lý do.")
                    % {"derived": _("thiếu hụt") if derived else _("không thiếu hụt")},
                )
        return cleaned

    def overrides(self):
        from .services import Override

        result = []
        for indicator in self.indicators:
            key = indicator.code.replace(".", "_")
            derived = self.derived.get(indicator.code)
            ticked = bool(self.cleaned_data.get(f"ind_{key}"))
            if derived is not None and derived != ticked:
                result.append(
                    Override(indicator.code, derived, ticked, self.cleaned_data[f"reason_{key}"])
                )
        return result


class HouseholdFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False)
    # Over more than one commune the village is chosen within a commune (its villages loaded
    # with htmx, households.views.village_options); a commune user has no commune field.
    commune = forms.ModelChoiceField(
        label=_("Xã / phường"),
        queryset=Area.objects.none(),
        required=False,
        widget=QuickSelect,
        empty_label=_("— tất cả —"),
    )
    village = forms.ModelChoiceField(
        label=_("Thôn"),
        queryset=Area.objects.none(),
        required=False,
        widget=QuickSelect,
        empty_label=_("— tất cả —"),
    )
    cycle = forms.ModelChoiceField(
        label=_("Đợt rà soát"),
        queryset=ReviewCycle.objects.none(),
        required=False,
        widget=QuickSelect,
    )
    household_class = forms.ChoiceField(label=_("Phân loại"), required=False, widget=QuickSelect)
    indicator = forms.ChoiceField(label=_("Chỉ số thiếu hụt"), required=False, widget=QuickSelect)
    dimension = forms.ChoiceField(label=_("Chiều thiếu hụt"), required=False, widget=QuickSelect)
    ethnicity = forms.ChoiceField(label=_("Dân tộc"), required=False, widget=QuickSelect)
    sort = forms.ChoiceField(
        label=_("Sắp xếp"),
        required=False,
        widget=QuickSelect,
        choices=[
            ("code", _("Mã hộ")),
            ("head_name", _("Chủ hộ")),
            ("village", _("Thôn")),
            ("class", _("Phân loại")),
            ("-income", _("Thu nhập (cao trước)")),
            ("income", _("Thu nhập (thấp trước)")),
        ],
    )
