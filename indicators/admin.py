from django.contrib import admin

from .models import Dimension, Indicator, PovertyStandard


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
