from django.contrib import admin

from .models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Read only: batches are written by the import pages and removed with their files after
    ``IMPORT_KEEP_HOURS``."""

    list_display = ["created_at", "filename", "kind", "status", "area", "uploaded_by"]
    list_filter = ["kind", "status"]
    date_hierarchy = "created_at"
    search_fields = ["filename", "uploaded_by__username"]
    list_select_related = ["area", "uploaded_by"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
