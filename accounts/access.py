"""How views ask for permission: every view declares its action with :func:`requires` (or
:func:`public`), and fetches one object only through ``get_visible_or_404`` /
``get_editable_or_404``, which apply the row scoping (``areas.scoping``). A view whose area comes
from the URL or the query also asks ``can(user, action, area)`` once it knows the area.
``accounts/tests/test_permissions.py`` fails for any view that declares nothing."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from areas.scoping import PUBLIC, ROLES, SELF, can


def requires(action: str):
    """A view for signed-in users who may do ``action`` somewhere (``areas.scoping.ROLES``), or
    ``SELF``: any signed-in user, for pages about the user's own account. The view is marked
    with ``permission_action`` for the test that checks every view declares one."""
    if action != SELF and action not in ROLES:
        raise ValueError(f"unknown action: {action}")

    def decorate(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        checked.permission_action = action
        return checked

    return decorate


def public(view):
    """A view open without login (the login page, the language switch): said so, not forgotten."""
    view = login_not_required(view)
    view.permission_action = PUBLIC
    return view


def _queryset(model_or_qs) -> QuerySet:
    return model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()


def get_visible_or_404(model_or_qs, user, **lookup) -> Model:
    try:
        return _queryset(model_or_qs).visible_to(user).get(**lookup)
    except _queryset(model_or_qs).model.DoesNotExist as exc:
        raise Http404 from exc


def get_editable_or_404(model_or_qs, user, **lookup) -> Model:
    try:
        return _queryset(model_or_qs).editable_by(user).get(**lookup)
    except _queryset(model_or_qs).model.DoesNotExist as exc:
        raise Http404 from exc
