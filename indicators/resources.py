"""Poverty standards, their dimensions and indicators, and yearly targets in and out of the admin
(django-import-export): an administrator loads them from the decree's or the plan's tables
instead of typing them. Rows are identified by their codes, so exporting and importing again
changes nothing."""

from __future__ import annotations

from import_export import fields

from areas.resources import ValidAreaWidget
from core.importexport import CodeWidget, ReferenceResource

from .models import Dimension, Indicator, PovertyStandard, Target


class PovertyStandardResource(ReferenceResource):
    class Meta:
        model = PovertyStandard
        import_id_fields = ("code",)
        exclude = ("id",)


class DimensionResource(ReferenceResource):
    standard = fields.Field(
        attribute="standard", column_name="standard", widget=CodeWidget(PovertyStandard)
    )

    class Meta:
        model = Dimension
        import_id_fields = ("standard", "code")
        fields = ("standard", "code", "name", "name_en", "order")


class DimensionWidget(CodeWidget):
    """A dimension by its code within the row's standard (codes repeat from standard to
    standard)."""

    def __init__(self):
        super().__init__(Dimension)

    def get_lookup_kwargs(self, value, row, **kwargs):
        return {"code": value, "standard__code": (row or {}).get("standard")}


class IndicatorResource(ReferenceResource):
    # Export only: which standard the dimension belongs to, read on import by DimensionWidget.
    standard = fields.Field(column_name="standard")
    dimension = fields.Field(
        attribute="dimension", column_name="dimension", widget=DimensionWidget()
    )

    class Meta:
        model = Indicator
        import_id_fields = ("dimension", "code")
        fields = ("standard", "dimension", "code", "name", "name_en", "definition", "order")

    def dehydrate_standard(self, indicator: Indicator) -> str:
        return indicator.dimension.standard.code


class TargetResource(ReferenceResource):
    area = fields.Field(attribute="area", column_name="area", widget=ValidAreaWidget())

    class Meta:
        model = Target
        import_id_fields = ("area", "year", "metric")
        fields = ("area", "year", "metric", "value", "source")
