from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import DocumentSettings, HouseholdTotal, StatedDocument, StatedFigure


@admin.register(HouseholdTotal)
class HouseholdTotalAdmin(admin.ModelAdmin):
    list_display = ["area", "year", "households", "source"]
    autocomplete_fields = ["area"]


@admin.register(DocumentSettings)
class DocumentSettingsAdmin(SimpleHistoryAdmin):
    list_display = ["area", "report", "signing_authority", "signer_name", "updated_at"]
    list_filter = ["report"]
    search_fields = ["area__name", "signer_name"]
    autocomplete_fields = ["area"]
    readonly_fields = ["version", "updated_by", "updated_at"]


class StatedFigureInline(admin.TabularInline):
    model = StatedFigure
    extra = 0
    fields = ["table", "row", "column", "text", "value", "order"]


@admin.register(StatedDocument)
class StatedDocumentAdmin(admin.ModelAdmin):
    list_display = ["reference", "area", "year", "report", "updated_at"]
    list_filter = ["year", "report"]
    search_fields = ["reference", "area__name"]
    autocomplete_fields = ["area"]
    inlines = [StatedFigureInline]
