"""The rows of a by-unit table, shared by the builders: the villages of a commune, or the
communes of a district or province."""

from __future__ import annotations

from django.utils.translation import gettext as _

from areas.models import Area
from core.collation import by_name, vietnamese_key


class Units:
    """The rows of a by-unit table: the villages of a commune (or the village itself), or the
    communes of a district or province. One query reads every area below ``area``."""

    def __init__(self, area: Area):
        self.area = area
        below = list(
            Area.objects.filter(path__startswith=area.path)
            .filter(kind__in=[Area.Kind.COMMUNE, Area.Kind.VILLAGE])
            .values("id", "kind", "name", "code", "parent_id")
        )
        self.by_commune = area.kind not in (Area.Kind.COMMUNE, Area.Kind.VILLAGE)
        unit_kind = Area.Kind.COMMUNE if self.by_commune else Area.Kind.VILLAGE
        self.names = {a["id"]: a["name"] for a in below}
        units = [a for a in below if a["kind"] == unit_kind]
        # In Vietnamese order of their names (core.collation); two communes of one name in
        # different districts by their code.
        units.sort(key=lambda a: (vietnamese_key(a["name"]), a["code"] or "", a["id"]))
        self.ids = [a["id"] for a in units]
        # village -> the unit it counts in
        self.unit_of = {
            a["id"]: (a["parent_id"] if self.by_commune else a["id"])
            for a in below
            if a["kind"] == Area.Kind.VILLAGE
        }
        self.parent_of = {a["id"]: a["parent_id"] for a in below}
        unit_rank = {u: i for i, u in enumerate(self.ids)}
        villages = [a for a in below if a["kind"] == Area.Kind.VILLAGE]
        villages.sort(key=lambda a: (unit_rank.get(self.unit_of[a["id"]], 0), by_name(a)))
        self.village_ids = [a["id"] for a in villages]

    @property
    def heading(self) -> str:
        return _("Xã / phường") if self.by_commune else _("Thôn / tổ dân phố")

    def name(self, unit_id: int) -> str:
        return self.names.get(unit_id, "?")

    def village_label(self, village_id: int) -> str:
        """A village's name, with its commune's name when the area spans several communes."""
        name = self.names.get(village_id, "?")
        if self.by_commune:
            return f"{self.names.get(self.parent_of.get(village_id), '?')} · {name}"
        return name
