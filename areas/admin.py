from django.contrib import admin

from .models import Area


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "parent", "is_urban", "valid_from", "valid_to"]
    list_filter = ["kind", "is_urban"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent", "merged_into"]
