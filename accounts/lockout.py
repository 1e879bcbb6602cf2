"""Login lockout with two limits: one per username, a higher one per client address.

django-axes compares one count with one limit. A commune office behind one router, and village
boards on a mobile network's shared address (carrier-grade NAT), share a client address: five
mistyped passwords by anyone there would lock everyone out. So the address gets its own, higher
limit (``LOGIN_FAILURE_LIMIT_PER_ADDRESS``) while a username keeps ``LOGIN_FAILURE_LIMIT``.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


class LockoutHandler(AxesDatabaseHandler):
    """Reports a count at axes' limit (``AXES_FAILURE_LIMIT``, the per-username one) as soon as
    either counter reaches its own limit, and the username's count otherwise."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        # One queryset per entry of AXES_LOCKOUT_PARAMETERS: ["username", "ip_address"].
        by_username, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        limit = settings.AXES_FAILURE_LIMIT
        if by_username >= limit or by_address >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS:
            return limit
        return by_username
