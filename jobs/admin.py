from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Read-only: jobs are written by their runs, never by hand."""

    list_display = ("id", "kind", "label", "user", "area", "status", "attempts", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("label", "user__username")
    list_select_related = ("user", "area")
    # The result's stored name is left out: it is no URL (jobs/storage.py), and only its owner
    # downloads it, through the job's page.
    fields = readonly_fields = [f.name for f in Job._meta.fields if f.name not in ("id", "result")]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
