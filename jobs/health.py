"""``/healthz``: whether this web process can serve, for a load balancer or a monitor. It checks
the database (a query), the broker when one is configured (a connection to it) and the cache
(a write and a read), and answers 200 with ``{"status": "ok", ...}`` or 503 naming what failed.
It shows no data and needs no login (docs/deployment.md, "Health checks")."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker() -> None:
    from kombu import Connection

    timeout = settings.CELERY_BROKER_CONNECTION_TIMEOUT
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=1, timeout=timeout)
        if conn.transport_cls in ("redis", "rediss") or "redis" in conn.transport.driver_type:
            conn.default_channel.client.ping()  # the Redis transport connects lazily


def check_cache() -> None:
    # A key of its own per check: two checks at once on a shared Redis would overwrite one key
    # and each read the other's token (a false 503).
    key, token = f"healthz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, token, 30)
    try:
        if cache.get(key) != token:
            raise RuntimeError("the cache did not give back what was written")
    finally:
        cache.delete(key)


def checks() -> dict[str, object]:
    found = {"database": check_database, "cache": check_cache}
    if settings.CELERY_BROKER_URL:
        found["broker"] = check_broker
    return found


@never_cache
@require_GET
def healthz(request):
    results = {}
    for name, check in checks().items():
        try:
            check()
        except Exception:
            log.warning("healthz: %s is down", name, exc_info=True)
            results[name] = "down"
        else:
            results[name] = "ok"
    failed = sorted(name for name, state in results.items() if state != "ok")
    body = {"status": "down" if failed else "ok", "checks": results}
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=503 if failed else 200)
