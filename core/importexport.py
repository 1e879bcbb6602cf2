"""What the admin's import and export of reference data (django-import-export) shares: the sheet
formats offered, and the rules every imported row keeps (full_clean, history, versions).

Reference data (areas, standards and indicators, targets, funding sources, budget lines) comes
from official lists that an administrator loads in the admin: upload, preview (a dry run inside a
transaction that is rolled back), confirm. The household registry does not go through here: its
import has its own importer, scoping and scale (households/imports.py).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from import_export import resources
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX


class ReferenceDataAdmin(ImportExportMixin):
    """Import and export buttons on a ModelAdmin, for the two formats offices use."""

    formats = [XLSX, CSV]


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

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is not None and hasattr(instance, "version"):
            instance.version += 1
        user = kwargs.get("user")
        if hasattr(instance, "updated_by_id") and user is not None and user.is_authenticated:
            instance.updated_by = user
        instance._change_reason = _("Nhập từ tệp trong trang quản trị")
