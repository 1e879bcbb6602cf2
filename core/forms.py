"""What the forms of every app share: Bootstrap's classes, the version of the row being edited,
parse-only model forms, a service's ValidationError shown on the form, and choices of places in
Vietnamese order."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.models import ModelChoiceIterator
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core import formatting
from core.collation import by_name
from core.numbers import NumberError, parse_amount


def format_number(value, places: int = 2) -> str:
    """A number as a number input shows and reads it: the Vietnamese grammar of
    ``core.numbers`` ("1.200.000", "45,5"), whatever the interface language."""
    with formatting.vietnamese():
        return formatting.format_number(value, places)


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BootstrapMixin:
    """Give widgets Bootstrap's classes so templates can render fields plainly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if "class" in widget.attrs:
                continue
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


def attach_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ParseOnly:
    """A ModelForm that only parses its fields: labels and widgets come from the model, but the
    model is validated and saved by the service (the instance lacks what the view adds)."""

    def _post_clean(self):
        pass


class Versioned(forms.Form):
    """Carries the version of the row the form was built from, for the service's conflict check."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            self.fields["version"].initial = instance.version


class _VietnameseOrder(ModelChoiceIterator):
    """The field's rows in Vietnamese order of their names (core.collation), read by the same one
    query: the database cannot order them so."""

    key = staticmethod(by_name)

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in sorted(self.queryset, key=self.key):
            yield self.choice(obj)


def in_vietnamese_order(field: forms.ModelChoiceField, key=None) -> None:
    """List a model choice field's rows (places with a ``name``) in Vietnamese order; ``key``
    replaces :func:`core.collation.by_name` (to put a commune before its villages, say). Call it
    after setting the field's queryset."""
    iterator = _VietnameseOrder
    if key is not None:
        iterator = type("_VietnameseOrderBy", (_VietnameseOrder,), {"key": staticmethod(key)})
    field.iterator = iterator
    # the widget took its choices from the field when the queryset was set
    field.widget.choices = field.choices


# --- numbers as people type them -------------------------------------------------------------


def column_limits(model_field) -> tuple[int | Decimal | None, int | Decimal | None]:
    """The smallest and largest value ``model_field`` (an integer or decimal column) can hold in
    PostgreSQL, whatever the database in use: the limits a form checks so that nothing it passes
    fails when written (PositiveIntegerField: 0 to 2.147.483.647)."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    internal = model_field.get_internal_type()
    if internal == "DecimalField":
        places = model_field.decimal_places
        top = Decimal(10) ** (model_field.max_digits - places) - Decimal(10) ** -places
        return -top, top
    return BaseDatabaseOperations.integer_field_ranges.get(internal, (None, None))


class Entered(str):
    """The text typed in a number field, with whether its confirmation box was ticked."""

    confirmed = False


CONFIRM_LABEL = _("Tôi xác nhận số liệu này đúng")


class NumberInput(forms.TextInput):
    """A text input for a number (the browser's number input turns "1.200.000" into 1.2), with
    what ``static/js/numbers.js`` needs to echo the amount as read ("= 1.200.000 đ"), and the
    box confirming a value outside the plausible range when the value is outside it."""

    field: NumberField | None = None

    def value_from_datadict(self, data, files, name):
        text = data.get(name)
        if text is None:
            return None
        entered = Entered(text)
        entered.confirmed = data.get(self.confirm_name(name)) in ("1", "on", "true")
        return entered

    @staticmethod
    def confirm_name(name: str) -> str:
        return f"{name}_confirmed"

    def render(self, name, value, attrs=None, renderer=None):
        html_input = super().render(name, value, attrs, renderer)
        field = self.field
        number = field.parsed(value) if field is not None else None
        input_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        echo = format_html(
            '<div class="form-text number-echo" data-number-echo-for="{}" aria-live="polite">'
            "{}</div>",
            input_id,
            field.echo(number) if number is not None else "",
        )
        confirm = ""
        if field is not None and number is not None and not field.plausible_value(number):
            confirm = format_html(
                '<div class="form-check number-confirm"><input class="form-check-input" '
                'type="checkbox" name="{}" id="{}_confirmed" value="1"{}>'
                '<label class="form-check-label" for="{}_confirmed">{}</label></div>',
                self.confirm_name(name),
                input_id,
                mark_safe(" checked") if getattr(value, "confirmed", False) else "",
                input_id,
                CONFIRM_LABEL,
            )
        return format_html("{}{}{}", html_input, echo, confirm)


class NumberField(forms.Field):
    """A number typed the Vietnamese way, read by ``core.numbers.parse_amount``: "1.200.000",
    "1 200 000", "1200000", a decimal comma where ``decimals`` allows it ("45,5") and, with
    ``shorthand`` (amounts of money), "1,2 triệu", "1.2tr", "800k", "800 nghìn".

    ``min_value``/``max_value`` are hard limits (take them from the column with
    :meth:`for_column`): a value beyond them is refused. ``plausible`` = (low, high), either may
    be None, is the range outside which the value needs its box "Tôi xác nhận số liệu này đúng"
    ticked. ``unit`` is written after the echoed value ("đ/người/tháng", "m²")."""

    widget = NumberInput
    MAX_LENGTH = 40

    def __init__(
        self,
        *,
        decimals: int = 0,
        shorthand: bool = False,
        min_value=None,
        max_value=None,
        unit: str = "",
        plausible: tuple | None = None,
        **kwargs,
    ):
        self.decimals, self.shorthand, self.unit = decimals, shorthand, unit
        self.min_value, self.max_value = min_value, max_value
        self.plausible = plausible or (None, None)
        super().__init__(**kwargs)
        self.widget.field = self

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.widget.field = result
        return result

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(
            {
                "inputmode": "decimal" if self.decimals else "numeric",
                "autocomplete": "off",
                "maxlength": self.MAX_LENGTH,
                "data-number": self.decimals,
                "data-number-unit": self.unit,
            }
        )
        if self.shorthand:
            attrs["data-number-shorthand"] = "1"
        return attrs

    @classmethod
    def for_column(cls, model_field, *, maximum=None, minimum=None, **kwargs) -> NumberField:
        """A field for ``model_field`` refusing what its column cannot hold, and what is beyond
        ``minimum``/``maximum`` when these are tighter (a business limit)."""
        low, high = column_limits(model_field)
        for validator in model_field.validators:  # the model's own bounds (MinValueValidator(0))
            bound = getattr(validator, "limit_value", None)
            if callable(bound) or not isinstance(bound, int | float | Decimal):
                continue
            bound = Decimal(str(bound)) if isinstance(bound, float) else bound
            if isinstance(validator, MinValueValidator):
                minimum = bound if minimum is None else max(minimum, bound)
            elif isinstance(validator, MaxValueValidator):
                maximum = bound if maximum is None else min(maximum, bound)
        if minimum is not None:
            low = minimum if low is None else max(low, minimum)
        if maximum is not None:
            high = maximum if high is None else min(high, maximum)
        if model_field.get_internal_type() == "DecimalField":
            kwargs.setdefault("decimals", model_field.decimal_places)
        kwargs.setdefault("label", capfirst(model_field.verbose_name))
        kwargs.setdefault("required", not model_field.blank)
        return cls(min_value=low, max_value=high, **kwargs)

    # -- reading -------------------------------------------------------------------------------

    def parsed(self, value):
        """``value`` as a number, or None when it is empty or not a number (for display)."""
        try:
            return self.to_python(value)
        except ValidationError:
            return None

    def to_python(self, value):
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value if not self.decimals else Decimal(value)
        if isinstance(value, Decimal | float):  # already a number: no grammar to read
            number = Decimal(str(value))
            if self.decimals:
                return number
            if number != number.to_integral_value():
                raise ValidationError(_("Hãy nhập một số nguyên."), code="invalid")
            return int(number)
        text = str(value).strip()
        if not text:
            return None
        if len(text) > self.MAX_LENGTH:
            raise ValidationError(_("Số quá dài."), code="invalid")
        try:
            number = parse_amount(text, integer=not self.decimals, shorthand=self.shorthand)
        except NumberError:
            example = "1.200.000" if not self.decimals else "45,5"
            if self.shorthand:
                example = _("1.200.000 hoặc 1,2 triệu")
            raise ValidationError(
                _("“%(value)s” không phải là một số; hãy viết ví dụ %(example)s.")
                % {"value": text, "example": example},
                code="invalid",
            ) from None
        if self.max_value is not None and abs(number) > 10 * abs(self.max_value) + 10:
            # far beyond any limit: refuse before any arithmetic on a huge number
            raise ValidationError(self._above_message(), code="max_value")
        if not self.decimals:
            if number != number.to_integral_value():
                message = _("Phải là số nguyên, không có phần lẻ.")
                if self.shorthand:
                    message = _(
                        "Số tiền tính bằng đồng, không có phần lẻ: “%(value)s” là %(number)s "
                        "đồng. Nếu là triệu, hãy viết “%(value)s triệu”."
                    ) % {"value": text, "number": format_number(number, places=3)}
                raise ValidationError(message, code="invalid")
            return int(number)
        if -number.as_tuple().exponent > self.decimals:
            raise ValidationError(
                _("Tối đa %(places)s chữ số sau dấu phẩy.") % {"places": self.decimals},
                code="invalid",
            )
        return number

    def _above_message(self):
        return _("Số lớn nhất có thể nhập là %(limit)s%(unit)s.") % {
            "limit": format_number(self.max_value, places=self.decimals),
            "unit": f" {self.unit}" if self.unit else "",
        }

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if self.max_value is not None and value > self.max_value:
            raise ValidationError(self._above_message(), code="max_value")
        if self.min_value is not None and value < self.min_value:
            message = self.error_messages.get("min_value") or (
                _("Số này không được âm.")
                if self.min_value == 0
                else _("Số nhỏ nhất có thể nhập là %(limit)s%(unit)s.")
            )
            raise ValidationError(
                message
                % {
                    "limit": format_number(self.min_value, places=self.decimals),
                    "unit": f" {self.unit}" if self.unit else "",
                },
                code="min_value",
            )

    def clean(self, value):
        number = super().clean(value)
        confirmed = getattr(value, "confirmed", False)
        if number is None or confirmed or self.plausible_value(number):
            return number

        def shown(bound):
            return "…" if bound is None else format_number(bound, places=self.decimals)

        low, high = self.plausible
        raise ValidationError(
            _(
                "%(value)s%(unit)s nằm ngoài khoảng thường gặp (%(low)s – %(high)s). "
                "Hãy kiểm tra lại; nếu đúng, đánh dấu “%(confirm)s”."
            )
            % {
                "value": shown(number),
                "unit": f" {self.unit}" if self.unit else "",
                "low": shown(low),
                "high": shown(high),
                "confirm": CONFIRM_LABEL,
            },
            code="implausible",
        )

    # -- showing -------------------------------------------------------------------------------

    def plausible_value(self, number) -> bool:
        low, high = self.plausible
        return (low is None or number >= low) and (high is None or number <= high)

    def echo(self, number) -> str:
        text = "= " + format_number(number, places=self.decimals)
        return f"{text} {self.unit}" if self.unit else text

    def prepare_value(self, value):
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return format_number(value, places=self.decimals)
        return value


class MoneyField(NumberField):
    """An amount of đồng: whole, shorthands allowed ("1,2 triệu", "800k")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("shorthand", True)
        kwargs.setdefault("unit", "đ")
        kwargs.setdefault("decimals", 0)
        super().__init__(**kwargs)
