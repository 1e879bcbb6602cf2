"""Fetch one object for a user, or 404: the only way views read or change a single row."""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import Http404


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
