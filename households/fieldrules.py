"""The field rules of a model, prepared once for the bulk paths (the Excel import's row checks
and ``bulkregistry.registry_import``): what ``full_clean()`` checks, at a fraction of its cost per
object (docs/decisions-import.md, "Scope and writes")."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models as db_models


class FieldRules:
    """The field rules ``full_clean()`` applies (required, length, choices, validators), prepared
    once per model so that bulk paths can check a few hundred thousand objects.

    Text fields get cheap checks; a value they flag, and every other kind of field, goes through
    ``Field.clean`` so the message is Django's own. ``Model.full_clean`` costs far more per object
    (docs/decisions-import.md), mostly on fields an import never sets (ids, timestamps).
    """

    def __init__(self, model, names: Sequence[str]):
        self.names = tuple(names)
        self._attnames = tuple((name, model._meta.get_field(name).attname) for name in names)
        self._rules = []
        for name in names:
            field = model._meta.get_field(name)
            if isinstance(field, db_models.CharField):
                choices = frozenset(k for k, _label in field.flatchoices) if field.choices else None
                extra = [
                    v
                    for v in field.validators
                    if not isinstance(v, MaxLengthValidator | ProhibitNullCharactersValidator)
                ]
                self._rules.append((name, field, "text", field.max_length, choices, extra))
            elif isinstance(field, db_models.BooleanField):
                self._rules.append((name, field, "bool", None, None, ()))
            elif isinstance(field, db_models.DateField) and not isinstance(
                field, db_models.DateTimeField
            ):
                self._rules.append((name, field, "date", None, None, ()))
            else:
                self._rules.append((name, field, "other", None, None, ()))

    def problems(self, values, instance=None) -> dict[str, str]:
        """{field name: first message} for the values that break a rule (only names present)."""
        found: dict[str, str] = {}
        for name, field, kind, max_length, choices, extra in self._rules:
            if name not in values:
                continue
            value = values[name]
            if kind == "text":
                if (
                    type(value) is str
                    and len(value) <= max_length
                    and "\x00" not in value
                    and (
                        (value in choices or (field.blank and value == ""))
                        if choices is not None
                        else (field.blank or value != "")
                    )
                ):
                    if extra and value:
                        try:
                            for validator in extra:
                                validator(value)
                        except ValidationError as exc:
                            found[name] = exc.messages[0]
                    continue
            elif (kind == "bool" and type(value) is bool) or (
                kind == "date" and (type(value) is datetime.date or (value is None and field.null))
            ):
                continue
            if field.blank and value in field.empty_values:
                continue
            try:
                field.clean(value, instance)
            except ValidationError as exc:
                found[name] = exc.messages[0]
        return found

    def check(self, obj, label: str) -> None:
        """Raise ``ValidationError`` naming ``label`` (e.g. the household code) if ``obj`` breaks a
        rule."""
        values = {name: getattr(obj, attname) for name, attname in self._attnames}
        self.check_values(values, label, obj)

    def check_values(self, values: dict, label: str, instance=None) -> None:
        """The same for field values (a dict with the names of the rules)."""
        found = self.problems(values, instance)
        if found:
            raise ValidationError(
                {
                    name: f"{label}: {message}"  # which row of thousands is meant
                    for name, message in found.items()
                }
            )
