from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.importexport import ReferenceDataAdmin

from .models import BudgetLine, Disbursement, FundingSource, StatedTotal
from .resources import BudgetLineResource, FundingSourceResource


@admin.register(FundingSource)
class FundingSourceAdmin(ReferenceDataAdmin, admin.ModelAdmin):
    resource_classes = [FundingSourceResource]
    list_display = ["code", "name", "short_name", "is_state_budget", "order"]


@admin.register(BudgetLine)
class BudgetLineAdmin(ReferenceDataAdmin, SimpleHistoryAdmin):
    resource_classes = [BudgetLineResource]
    list_display = ["commune", "year", "subproject", "source", "kind", "allocated"]
    list_filter = ["year", "source", "kind"]
    autocomplete_fields = ["commune", "subproject"]
    readonly_fields = ["version"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1  # a form open elsewhere then gets the conflict message
        super().save_model(request, obj, form, change)


@admin.register(Disbursement)
class DisbursementAdmin(SimpleHistoryAdmin):
    list_display = ["line", "paid_on", "amount", "document", "is_sample"]
    list_filter = ["is_sample", "line__year"]
    raw_id_fields = ["line"]
    readonly_fields = ["recorded_by"]


@admin.register(StatedTotal)
class StatedTotalAdmin(admin.ModelAdmin):
    list_display = ["label", "commune", "year", "amount"]
    list_filter = ["year"]
    autocomplete_fields = ["commune", "subproject"]
    filter_horizontal = ["sources"]
