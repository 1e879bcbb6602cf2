from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.importexport import ReferenceDataAdmin

from .models import Dimension, Indicator, PovertyStandard, ProgressRecord, Target
from .resources import (
    DimensionResource,
    IndicatorResource,
    PovertyStandardResource,
    TargetResource,
)


class DimensionInline(admin.TabularInline):
    model = Dimension
    extra = 0


@admin.register(PovertyStandard)
class PovertyStandardAdmin(ReferenceDataAdmin, admin.ModelAdmin):
    resource_classes = [PovertyStandardResource]
    list_display = [
        "name",
        "effective_from",
        "effective_to",
        "rural_poverty_line",
        "urban_poverty_line",
        "indicators_provisional",
    ]
    inlines = [DimensionInline]


# Edited inline under their standard; listed on their own for the import and export of a
# standard's dimensions from a sheet.
@admin.register(Dimension)
class DimensionAdmin(ReferenceDataAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "standard", "order"]
    list_filter = ["standard"]
    list_select_related = ["standard"]
    resource_classes = [DimensionResource]


@admin.register(Indicator)
class IndicatorAdmin(ReferenceDataAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "dimension"]
    list_filter = ["dimension__standard"]
    list_select_related = ["dimension__standard"]
    resource_classes = [IndicatorResource]


class ProgressRecordInline(admin.TabularInline):
    model = ProgressRecord
    extra = 0
    fields = ["as_of", "value", "source", "recorded_by"]
    readonly_fields = ["recorded_by"]


@admin.register(Target)
class TargetAdmin(ReferenceDataAdmin, SimpleHistoryAdmin):
    resource_classes = [TargetResource]
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
