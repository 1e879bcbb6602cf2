"""What the forms of every app share: Bootstrap's classes, the version of the row being edited,
parse-only model forms, a service's ValidationError shown on the form, and choices of places in
Vietnamese order."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator

from core.collation import by_name

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
            if isinstance(widget, forms.CheckboxInput):
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
