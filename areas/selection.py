"""Which commune and year a projects or budget page shows, from ``?commune=&year=``.

Only communes the user may read can be chosen (404 otherwise). Without a choice, a user of one
commune (an officer, or a village board: its commune) gets that commune; a district or province
viewer gets the list to pick from.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from core.collation import by_name

from .models import Area

FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass
class Selection:
    commune: Area | None
    year: int
    communes: QuerySet

    def communes_in_order(self) -> list:
        """The communes to pick from, in Vietnamese order of their names (core.collation)."""
        return sorted(self.communes, key=by_name)

    def query(self) -> str:
        """The query string that keeps this selection on links."""
        if self.commune is None:
            return f"year={self.year}"
        return f"commune={self.commune.pk}&year={self.year}"


def pick(request, default_year=None) -> Selection:
    """``default_year(commune)`` gives the year when none is asked for (else this year)."""
    user = request.user
    communes = Area.objects.visible_to(user).communes().order_by("path")
    raw = request.GET.get("commune", "")
    if raw:
        if not raw.isdigit():
            raise Http404
        commune = communes.filter(pk=int(raw)).first()
        if commune is None:
            raise Http404
    else:
        commune = _home_commune(user, communes)
    raw_year = request.GET.get("year", "")
    if raw_year.isdigit() and FIRST_YEAR <= int(raw_year) <= LAST_YEAR:
        year = int(raw_year)
    else:
        year = (default_year(commune) if default_year and commune else None) or (
            datetime.date.today().year
        )
    return Selection(commune, year, communes)


def _home_commune(user, communes: QuerySet) -> Area | None:
    home = user.home_area()
    if home is None:
        return None
    if home.kind == Area.Kind.VILLAGE:
        return home.parent
    if home.kind == Area.Kind.COMMUNE:
        return home
    only = list(communes[:2])
    return only[0] if len(only) == 1 else None
