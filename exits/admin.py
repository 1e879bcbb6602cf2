"""The support norms are reference data, edited in the admin like the poverty standards: a
province or a commune sets its own per year, with their source; the demo's are marked as sample
values. Pathways and visits are written through the pages (``exits.services``)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import SupportNorm


@admin.register(SupportNorm)
class SupportNormAdmin(SimpleHistoryAdmin):
    list_display = [
        "item",
        "year",
        "area",
        "subproject",
        "indicator",
        "unit",
        "amount",
        "is_sample",
    ]
    list_filter = ["year", "unit", "is_sample"]
    list_select_related = ["area", "subproject", "indicator"]
    search_fields = ["item", "source"]
    autocomplete_fields = ["area"]
    readonly_fields = ["updated_by", "updated_at"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
