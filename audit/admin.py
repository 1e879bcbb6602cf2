from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    """Read only: entries are written by the views and removed only by the retention purge
    (``manage.py purge_access_log``)."""

    list_display = ["at", "username", "action", "what", "area", "rows", "ip"]
    list_filter = ["action", ("area", admin.RelatedOnlyFieldListFilter), "user"]
    date_hierarchy = "at"
    search_fields = ["username", "what", "object_id", "path", "ip"]
    list_select_related = ["area"]
