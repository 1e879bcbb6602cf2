from django.contrib import admin

from .models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read only: entries are written by the views and removed only by the retention purge
    (``manage.py purge_access_log``)."""

    list_display = ["at", "username", "action", "what", "area", "rows", "ip"]
    list_filter = ["action", ("area", admin.RelatedOnlyFieldListFilter), "user"]
    date_hierarchy = "at"
    search_fields = ["username", "what", "object_id", "path", "ip"]
    list_select_related = ["area"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
