"""The one place where a user's area and role decide what they may read and change.

Every area-bound model's QuerySet subclasses :class:`ScopedQuerySet` and names the lookup of its
area's materialised path. ``visible_to(user)`` is for reads, ``editable_by(user)`` for writes; views
fetch single objects only through :func:`accounts.access.get_visible_or_404` and
``get_editable_or_404``, which apply them.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from .models import Area

READ_ROLES = frozenset({"officer", "board", "viewer", "finance", "admin"})


class ScopedQuerySet(models.QuerySet):
    #: the lookup from this model to its area's ``path`` (e.g. ``"village__path"``)
    area_path_lookup: str = "area__path"
    #: roles whose membership lets a user change rows of this model
    edit_roles: frozenset[str] = frozenset({"officer", "board", "admin"})
    #: True when a row attached to a higher unit (a commune's cycle) is visible to a lower member
    ancestors_visible: bool = False

    def within(self, area: Area) -> ScopedQuerySet:
        return self.filter(**{f"{self.area_path_lookup}__startswith": area.path})

    def visible_to(self, user) -> ScopedQuerySet:
        return self._scoped(user, READ_ROLES, self.ancestors_visible)

    def editable_by(self, user) -> ScopedQuerySet:
        return self._scoped(user, self.edit_roles, False)

    def _scoped(self, user, roles, with_ancestors: bool) -> ScopedQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        memberships = user.scope_memberships()
        if any(m.role == "admin" and "admin" in roles for m in memberships):
            return self.all()
        paths = {m.area_path for m in memberships if m.role in roles}
        if not paths:
            return self.none()
        lookup = self.area_path_lookup
        conditions = [Q(**{f"{lookup}__startswith": p}) for p in sorted(paths)]
        if with_ancestors:
            above = {a for p in paths for a in _ancestor_paths(p)}
            if above:
                conditions.append(Q(**{f"{lookup}__in": sorted(above)}))
        return self.filter(reduce(or_, conditions))


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts) - 1)]


# --- personal data ----------------------------------------------------------------------------

#: roles whose membership lets a user read per-household and per-person lists of its area (finance
#: works on the budget: aggregate figures only, design.md)
PERSON_ROLES = frozenset({"officer", "board", "viewer", "admin"})
#: roles that may show a citizen ID (CCCD) in full, behind an explicit, logged action: those who
#: keep the households' records (officers of their commune, boards of their own village)
REVEAL_ROLES = frozenset({"officer", "board", "admin"})


def _covers(user, path: str, roles: frozenset[str]) -> bool:
    """Whether one of ``user``'s memberships in ``roles`` covers the whole of ``path``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(
        m.role in roles and (m.role == "admin" or path.startswith(m.area_path))
        for m in user.scope_memberships()
    )


def persons_visible_in(user, area: Area) -> bool:
    """Whether ``user`` may read a list of the households or persons of the whole of ``area``
    (a village board: its own village, never its commune; finance: never)."""
    return _covers(user, area.path, PERSON_ROLES)


def person_areas_within(user, area: Area) -> list[Area]:
    """Where ``user`` may list households within ``area``: ``area`` itself if it may see all its
    persons, else the user's own areas inside it (a village board on its commune: its village)."""
    if persons_visible_in(user, area):
        return [area]
    if user is None or not user.is_authenticated:
        return []
    own = [m.area_id for m in user.scope_memberships() if m.role in PERSON_ROLES]
    if not own:
        return []
    areas = type(area).objects.filter(pk__in=own, path__startswith=area.path)
    return list(areas.order_by("path"))


def may_reveal_citizen_id(user, household) -> bool:
    """Whether ``user`` may show the citizen IDs of ``household``'s members in full. Everyone
    else who may see the household sees them masked (``households.privacy``)."""
    return _covers(user, household.village.path, REVEAL_ROLES)


def citizen_ids_revealable(queryset: ScopedQuerySet, user) -> ScopedQuerySet:
    """The rows of ``queryset`` (households, or rows bound to a household's village) whose
    citizen IDs ``user`` may show in full: the same rule as :func:`may_reveal_citizen_id`."""
    return queryset._scoped(user, REVEAL_ROLES, False)
