from django.contrib import admin

from .models import HouseholdTotal


@admin.register(HouseholdTotal)
class HouseholdTotalAdmin(admin.ModelAdmin):
    list_display = ["area", "year", "households", "source"]
    autocomplete_fields = ["area"]
