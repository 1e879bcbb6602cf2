"""What the admin's import and export of reference data (django-import-export) shares: the sheet
formats offered, and the rules every imported row keeps (full_clean, history, versions).

Reference data (areas, standards and indicators, targets, funding sources, budget lines) comes
from official lists that an administrator loads in the admin: upload, preview (a dry run inside a
transaction that is rolled back), confirm. The household registry does not go through here: its
import has its own importer, scoping and scale (imports/).
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from core.cells import FORMULA_START, neutralise


class ReferenceDataAdmin(ImportExportMixin):
    """Import and export buttons on a ModelAdmin, for the two formats offices use."""

    formats = [XLSX, CSV]
    # A CSV export starts with a byte-order mark, so that Excel reads its Vietnamese text as
    # UTF-8 (import-export reads "utf-8-sig" back, with or without the mark). Its numbers stay
    # as the data has them (decimal point, "," between cells): the CSV is the admin's round-trip
    # format, and XLSX the one to open in a spreadsheet (docs/decisions-import.md).
    to_encoding = "utf-8-sig"

    # import-export lets any staff user import and export unless told otherwise: an import adds
    # and changes rows, an export reads them, so the model's own permissions decide.
    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)


class DayWidget(widgets.Widget):
    """A date as a spreadsheet cell, ISO text (2025-07-01) or Vietnamese text (01/07/2025)."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.datetime.strptime(str(value).strip(), pattern).date()
            except ValueError:
                continue
        raise ValueError(_("Ngày “%(value)s” không đọc được; ghi dd/mm/yyyy.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return value  # a date cell in XLSX
        return value.isoformat() if value else ""


class PlainDiff(resources.Diff):
    """The preview's changes without the inline ``style`` that diff-match-patch puts on its
    ``<ins>``/``<del>``/``<span>`` (the Content-Security-Policy blocks inline styles);
    import_export/import.css colours them already."""

    STYLED = re.compile(r'<(ins|del|span) style="[^"]*">')

    def as_html(self):
        return [self.STYLED.sub(r"<\1>", cell) for cell in super().as_html()]


class ReferenceResource(resources.ModelResource):
    """A resource whose rows are validated like a form and saved like an edit in the admin:
    ``full_clean()`` on every row, unchanged rows skipped (they keep their version and leave no
    history), a changed row's version raised so a form open elsewhere gets the conflict message,
    and the history entry says the change came from an import (its user is the request's, through
    simple_history's middleware)."""

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def get_diff_class(self):
        return PlainDiff

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        # import-export's DateWidget gives back a datetime for an XLSX date cell, which then
        # differs from the stored date and turns an unchanged row into an update.
        if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
            return DayWidget
        return super().widget_from_django_field(f, default)

    def get_instance(self, instance_loader, row):
        # A code that names nothing is reported on its field when the row is read (CodeWidget);
        # here it only means "no existing row", not a crash of the whole row.
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None

    def export_field(self, field, instance, **kwargs):
        # Text that a spreadsheet would run as a formula is written as text (core/cells.py), and
        # read back without the apostrophe below. Not import-export's own
        # IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT: it only drops a leading "=" and, in 4.4, writes
        # every empty cell as the text "None".
        value = super().export_field(field, instance, **kwargs)
        if type(field.widget) in (widgets.Widget, widgets.CharWidget):
            return neutralise(value)
        return value

    def before_import_row(self, row, **kwargs):
        for column, value in row.items():
            if isinstance(value, str) and value[:1] == "'" and value[1:].startswith(FORMULA_START):
                row[column] = value[1:]

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is not None and hasattr(instance, "version"):
            instance.version += 1
        user = kwargs.get("user")
        if hasattr(instance, "updated_by_id") and user is not None and user.is_authenticated:
            instance.updated_by = user
        instance._change_reason = _("Nhập từ tệp trong trang quản trị")


def code_text(value) -> str:
    """A code as text: a spreadsheet may hold 1090.0 for a code typed as a number."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


class CodeWidget(widgets.ForeignKeyWidget):
    """A related row named by its code in the sheet; a code that names nothing, or more than one
    row, is a clear error on the row rather than a crash."""

    def __init__(self, model, field: str = "code", **kwargs):
        super().__init__(model, field=field, **kwargs)

    def clean(self, value, row=None, **kwargs):
        code = code_text(value)
        if not code:
            return None
        what = self.model._meta.verbose_name
        try:
            return super().clean(code, row, **kwargs)
        except ObjectDoesNotExist:
            raise ValueError(
                _("Không có %(what)s mã %(code)s.") % {"what": what, "code": code}
            ) from None
        except MultipleObjectsReturned:
            raise ValueError(
                _("Mã %(code)s trùng ở nhiều %(what)s.") % {"what": what, "code": code}
            ) from None
