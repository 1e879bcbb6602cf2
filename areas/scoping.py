"""The one place where a user's area and role decide what they may read and change.

Two halves of one table, :data:`ROLES` (action → the roles that may do it):

- the action half, :func:`can` ``(user, action, area)``: may this user do this here? Every view
  declares its action (:func:`accounts.access.requires`), and services ask before they write;
- the row half, :class:`ScopedQuerySet`: every area-bound model's QuerySet subclasses it and names
  the lookup of its area's materialised path. ``visible_to(user)`` is for reads,
  ``editable_by(user)`` for writes (the roles of the model's ``edit_action``); views fetch single
  objects only through :func:`accounts.access.get_visible_or_404` and ``get_editable_or_404``,
  which apply them.

A role counts where its membership's area covers the area asked about (an officer of a commune in
the commune and its villages, never in a neighbour); an ``admin`` membership and a superuser count
everywhere. The memberships are read once per request and kept on the user
(``User.scope_memberships``), so asking costs no query.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from .models import Area

#: action → the roles whose membership allows it (docs/security.md has the same table)
ROLES: dict[str, frozenset[str]] = {
    # read the area's rows and aggregate figures (finance too: it reads plans and reports)
    "view": frozenset({"officer", "board", "viewer", "finance", "admin"}),
    # read a list of the households or persons of an area (finance works on the budget:
    # aggregate figures only, design.md)
    "persons": frozenset({"officer", "board", "viewer", "admin"}),
    # show a citizen ID (CCCD) in full, behind an explicit, logged action: those who keep the
    # households' records (officers of their commune, boards of their own village)
    "reveal": frozenset({"officer", "board", "admin"}),
    # add and change households, members and their review results
    "edit_registry": frozenset({"officer", "board", "admin"}),
    # bring households and results in from Excel: the same people as the registry's editors
    "import": frozenset({"officer", "board", "admin"}),
    # open and finalise review cycles (đợt rà soát) of a commune
    "review": frozenset({"officer", "admin"}),
    # the commune's plan: units, assignments, activities, the plan document's texts
    "plan": frozenset({"officer", "admin"}),
    # record in a village what the plan does there: progress of activities, beneficiaries
    "record": frozenset({"officer", "board", "admin"}),
    # the budget: the commune's accountant keeps it; the commune officers, who answer for the
    # plan, may correct it too (docs/decisions-projects.md, "Roles")
    "budget": frozenset({"officer", "finance", "admin"}),
    # the figures around reports: targets and progress, stated figures, document blocks
    "report": frozenset({"officer", "admin"}),
    # the area tree itself (through the admin site)
    "administer": frozenset({"admin"}),
}

#: a view's action for pages about the signed-in user (two-factor login, password): no role
SELF = "self"
#: a view's action for pages open without login (the login page, the language switch)
PUBLIC = "public"


class _Anywhere:
    def __repr__(self) -> str:
        return "ANYWHERE"


#: ``can``'s default area: "does the user hold such a role anywhere?" (the question a view asks
#: before it knows its area). An explicit ``area=None`` (no area chosen) is never allowed.
ANYWHERE = _Anywhere()


def can(user, action: str, area: Area | None = ANYWHERE, *, inside: bool = False) -> bool:
    """Whether ``user`` may do ``action`` in ``area``.

    Without ``area``: whether one of the user's memberships allows ``action`` anywhere. With
    ``inside=True``: in ``area`` or somewhere inside it (a village board records in its own
    village of a commune). ``SELF`` is any signed-in user, ``PUBLIC`` anyone. An unknown action
    raises ``KeyError``: a misspelt action must fail, not refuse quietly.
    """
    if action == PUBLIC:
        return True
    roles = None if action == SELF else ROLES[action]
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if roles is None:
        return True
    if area is None:
        return False
    if user.is_superuser:
        return True
    for m in user.scope_memberships():
        if m.role not in roles:
            continue
        if area is ANYWHERE or m.role == "admin" or area.path.startswith(m.area_path):
            return True
        if inside and m.area_path.startswith(area.path):
            return True
    return False


def sees_beyond_a_commune(user, action: str = "view") -> bool:
    """Whether ``user`` may do ``action`` over a district or a province (or everywhere): the
    scope whose figures come from the summary counts. Read from the memberships already loaded
    for the request (their area's kind), so it costs no query."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    wide = ("province", "district")
    return any(
        m.role == "admin" or m.area_kind in wide
        for m in user.scope_memberships()
        if m.role in ROLES[action]
    )


#: Services take ``user=SYSTEM`` (their keyword-only default, ``None``) to mean that no person
#: acts: a management command, the demo loader, a data migration. A request never gets there:
#: views pass ``request.user``, which is never None (a visitor is an ``AnonymousUser``), and
#: ``can`` itself refuses None.
SYSTEM = None


def can_or_system(user, action: str, area: Area) -> bool:
    """A service's check: the system acting (``user is SYSTEM``), or ``can(user, action, area)``."""
    return user is SYSTEM or can(user, action, area)


class ScopedQuerySet(models.QuerySet):
    #: the lookup from this model to its area's ``path`` (e.g. ``"village__path"``)
    area_path_lookup: str = "area__path"
    #: the action (``ROLES``) whose roles let a user change rows of this model
    edit_action: str = "edit_registry"
    #: True when a row attached to a higher unit (a commune's cycle) is visible to a lower member
    ancestors_visible: bool = False

    def within(self, area: Area) -> ScopedQuerySet:
        return self.filter(**{f"{self.area_path_lookup}__startswith": area.path})

    def visible_to(self, user) -> ScopedQuerySet:
        return self._scoped(user, ROLES["view"], self.ancestors_visible)

    def editable_by(self, user) -> ScopedQuerySet:
        return self.where_can(user, self.edit_action)

    def where_can(self, user, action: str) -> ScopedQuerySet:
        """The rows in the areas where ``user`` may do ``action`` (the row half of ``can``)."""
        return self._scoped(user, ROLES[action], False)

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


def persons_visible_in(user, area: Area) -> bool:
    """Whether ``user`` may read a list of the households or persons of the whole of ``area``
    (a village board: its own village, never its commune; finance: never)."""
    return can(user, "persons", area)


def person_areas_within(user, area: Area) -> list[Area]:
    """Where ``user`` may list households within ``area``: ``area`` itself if it may see all its
    persons, else the user's own areas inside it (a village board on its commune: its village)."""
    if persons_visible_in(user, area):
        return [area]
    if user is None or not user.is_authenticated:
        return []
    roles = ROLES["persons"]
    own = [m.area_id for m in user.scope_memberships() if m.role in roles]
    if not own:
        return []
    areas = type(area).objects.filter(pk__in=own, path__startswith=area.path)
    return list(areas.order_by("path"))


def may_reveal_citizen_id(user, household) -> bool:
    """Whether ``user`` may show the citizen IDs of ``household``'s members in full. Everyone
    else who may see the household sees them masked (``households.privacy``)."""
    return can(user, "reveal", household.village)


def citizen_ids_revealable(queryset: ScopedQuerySet, user) -> ScopedQuerySet:
    """The rows of ``queryset`` (households, or rows bound to a household's village) whose
    citizen IDs ``user`` may show in full: the same rule as :func:`may_reveal_citizen_id`."""
    return queryset.where_can(user, "reveal")
