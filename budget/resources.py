"""Funding sources and budget lines in and out of the admin (django-import-export): the lines of
an allocation decision loaded from its table, each validated as the budget form would (a line
cannot fall below what was already paid) and versioned, with history."""

from __future__ import annotations

from import_export import fields

from areas.models import Area
from areas.resources import ValidAreaWidget
from core.importexport import CodeWidget, ReferenceResource, code_text

from .models import BudgetLine, FundingSource


class FundingSourceResource(ReferenceResource):
    class Meta:
        model = FundingSource
        import_id_fields = ("code",)
        fields = ("code", "name", "short_name", "is_state_budget", "order")


class SubProjectWidget(CodeWidget):
    """A sub-project by its code within the programme that covers the row's year (codes such as
    DA3-TDA1 repeat from programme to programme)."""

    def __init__(self):
        # The model through the field, so that budget does not import the projects app.
        super().__init__(BudgetLine._meta.get_field("subproject").related_model)

    def get_lookup_kwargs(self, value, row, **kwargs):
        year = code_text((row or {}).get("year"))
        lookup = {"code": value}
        if year.isdigit():
            lookup |= {"programme__start_year__lte": year, "programme__end_year__gte": year}
        return lookup


class BudgetLineResource(ReferenceResource):
    commune = fields.Field(
        attribute="commune", column_name="commune", widget=ValidAreaWidget([Area.Kind.COMMUNE])
    )
    subproject = fields.Field(
        attribute="subproject", column_name="subproject", widget=SubProjectWidget()
    )
    source = fields.Field(
        attribute="source", column_name="source", widget=CodeWidget(FundingSource)
    )

    class Meta:
        model = BudgetLine
        import_id_fields = ("commune", "year", "subproject", "source", "kind")
        fields = (
            "commune",
            "year",
            "subproject",
            "source",
            "kind",
            "allocated",
            "document",
            "note",
        )
