from django.contrib import admin

from core.importexport import ReferenceDataAdmin

from .models import Area
from .resources import AreaResource


@admin.register(Area)
class AreaAdmin(ReferenceDataAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "code", "parent", "is_urban", "valid_from", "valid_to"]
    list_filter = ["kind", "is_urban"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent", "merged_into"]
    resource_classes = [AreaResource]
