"""Writing the access log. Called by the views that show or hand out personal data, before
they show it: if the entry cannot be written the request fails and nothing is shown."""

from __future__ import annotations

import datetime
import ipaddress

from django.conf import settings
from django.db import models
from django.utils import timezone

from .models import AccessLog


def _client_ip(request) -> str | None:
    header = settings.AUDIT_CLIENT_IP_HEADER
    value = (request.META.get(header) if header else None) or request.META.get("REMOTE_ADDR")
    value = (value or "").split(",")[0].strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def access_log(
    *,
    action: str,
    request=None,
    user=None,
    area=None,
    what: str = "",
    obj: models.Model | None = None,
    rows: int | None = None,
) -> AccessLog:
    """Record that ``user`` (default: the request's) did ``action`` (an ``AccessLog.Action``)
    on ``obj`` or ``what`` in ``area``, with ``rows`` persons or households handed out."""
    if user is None and request is not None:
        user = request.user
    if user is not None and not user.is_authenticated:
        user = None
    entry = AccessLog(
        user=user,
        username=user.get_username() if user is not None else "",
        action=action,
        what=(what or (str(obj) if obj is not None else ""))[:255],
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        area=area,
        rows=rows,
        path=request.get_full_path()[:500] if request is not None else "",
        ip=_client_ip(request) if request is not None else None,
    )
    entry.full_clean(exclude=["user", "area"])  # the foreign keys are objects already read
    entry.save()
    return entry


def access_log_purge(*, days: int | None = None, now: datetime.datetime | None = None) -> int:
    """Delete the entries older than ``days`` (default ``settings.AUDIT_RETENTION_DAYS``);
    returns how many went."""
    days = settings.AUDIT_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    deleted, _by_model = AccessLog.objects.filter(at__lt=cutoff).delete()
    return deleted
