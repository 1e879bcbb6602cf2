"""/healthz: public, no data; 200 when the database, the cache and the broker answer, else 503
naming what failed."""

import pytest
from django.conf import settings as django_settings

from jobs.testing import TEST_REDIS_URL, free_port

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_login_when_all_is_up(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_checks_the_broker_when_one_is_configured(client, settings):
    settings.CELERY_BROKER_URL = TEST_REDIS_URL
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


def test_healthz_is_503_naming_the_broker_when_it_is_down(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/1"  # nothing listens there
    settings.CELERY_BROKER_CONNECTION_TIMEOUT = 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down" and body["failed"] == ["broker"]
    assert body["checks"] == {"database": "ok", "cache": "ok", "broker": "down"}


def test_healthz_is_not_redirected_to_https(client, settings):
    settings.CELERY_BROKER_URL = ""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/login/").status_code == 301


@pytest.mark.skipif(
    "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
    reason="gunicorn sees only a PostgreSQL test database (SQLite's is in memory)",
)
@pytest.mark.django_db(transaction=True)
def test_healthz_through_gunicorn(settings):
    import json
    import urllib.request

    from jobs.testing import web

    settings.CELERY_BROKER_URL = TEST_REDIS_URL
    with web() as site, urllib.request.urlopen(f"{site.url}/healthz", timeout=10) as response:
        body = json.loads(response.read())
    assert response.status == 200 and body["checks"]["broker"] == "ok"


def test_cache_checks_at_once_do_not_read_each_others_token():
    import threading

    from django.core.cache import cache

    from jobs.health import check_cache

    cache.set("healthz", "another process's", 30)
    errors = []

    def check_many():
        for _ in range(50):
            try:
                check_cache()
            except Exception as exc:
                errors.append(exc)

    threads = [threading.Thread(target=check_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert cache.get("healthz") == "another process's"  # its own keys, deleted after use
