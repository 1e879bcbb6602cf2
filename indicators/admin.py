from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Dimension, Indicator, PovertyStandard, ProgressRecord, Target


class DimensionInline(admin.TabularInline):
    model = Dimension
    extra = 0


@admin.register(PovertyStandard)
class PovertyStandardAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "effective_from",
        "effective_to",
        "rural_poverty_line",
        "urban_poverty_line",
        "indicators_provisional",
    ]
    inlines = [DimensionInline]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "dimension"]
    list_filter = ["dimension__standard"]


class ProgressRecordInline(admin.TabularInline):
    model = ProgressRecord
    extra = 0
    fields = ["as_of", "value", "source", "recorded_by"]
    readonly_fields = ["recorded_by"]


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ["area", "year", "metric", "value", "source"]
    list_filter = ["year", "metric"]
    search_fields = ["area__name", "source"]
    autocomplete_fields = ["area"]
    inlines = [ProgressRecordInline]
    readonly_fields = ["version", "updated_by", "updated_at"]


@admin.register(ProgressRecord)
class ProgressRecordAdmin(SimpleHistoryAdmin):
    list_display = ["target", "as_of", "value", "source"]
    list_filter = ["target__year", "target__metric"]
    readonly_fields = ["recorded_by", "recorded_at"]
