from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    """Read only: batches are written by the import pages and removed with their files after
    ``IMPORT_KEEP_HOURS``."""

    list_display = ["created_at", "filename", "kind", "status", "area", "uploaded_by"]
    list_filter = ["kind", "status"]
    date_hierarchy = "created_at"
    search_fields = ["filename", "uploaded_by__username"]
    list_select_related = ["area", "uploaded_by"]
