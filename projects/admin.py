from django.contrib import admin

from .models import (
    Activity,
    Assignment,
    Beneficiary,
    LegalDocument,
    Programme,
    Project,
    Responsibility,
    SubProject,
    SubProjectLegalBasis,
    Unit,
)


class ProjectInline(admin.TabularInline):
    model = Project
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "start_year", "end_year"]
    inlines = [ProjectInline]


class SubProjectInline(admin.TabularInline):
    model = SubProject
    fields = ["number", "code", "name"]
    extra = 0
    show_change_link = True


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "programme"]
    list_filter = ["programme"]
    inlines = [SubProjectInline]


class LegalBasisInline(admin.TabularInline):
    model = SubProjectLegalBasis
    autocomplete_fields = ["document"]
    extra = 0


@admin.register(SubProject)
class SubProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "project"]
    list_filter = ["project__programme"]
    search_fields = ["code", "name"]
    filter_horizontal = ["indicators"]
    inlines = [LegalBasisInline]


@admin.register(LegalDocument)
class LegalDocumentAdmin(admin.ModelAdmin):
    list_display = ["number", "kind", "issued_on", "issuer"]
    search_fields = ["number", "issuer", "subject"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "commune", "order"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["commune"]


@admin.register(Responsibility)
class ResponsibilityAdmin(admin.ModelAdmin):
    list_display = ["unit", "year", "order"]
    list_filter = ["year"]
    autocomplete_fields = ["unit"]


class VersionedAdmin(admin.ModelAdmin):
    """An edit in the admin raises the version too, so a form open elsewhere gets the conflict."""

    readonly_fields = ["version"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(Assignment)
class AssignmentAdmin(VersionedAdmin):
    list_display = ["subproject", "commune", "year", "lead_unit"]
    list_filter = ["year", "subproject__project__programme"]
    autocomplete_fields = ["commune", "subproject", "lead_unit", "officer_in_charge"]
    filter_horizontal = ["coordinating_units"]


@admin.register(Activity)
class ActivityAdmin(VersionedAdmin):
    list_display = ["title", "assignment", "area", "status", "progress", "is_sample"]
    list_filter = ["status", "is_sample"]
    raw_id_fields = ["assignment", "area"]


@admin.register(Beneficiary)
class BeneficiaryAdmin(admin.ModelAdmin):
    list_display = ["household", "assignment", "support_kind", "value", "village", "is_sample"]
    list_filter = ["support_kind", "is_sample", "assignment__year"]
    raw_id_fields = ["assignment", "household", "activity"]
    readonly_fields = ["village", "recorded_by", "recorded_at"]
