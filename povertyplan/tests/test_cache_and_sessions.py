"""The cache and the sessions in Redis (settings ``REDIS_URL``, ``SESSION_STORE``) and the files
in a bucket (``STORAGE_BACKEND=s3``), read from the environment; and logins, their lockout, the
second factor and the idle expiry working with sessions kept in Redis rather than the database.

The Redis tests use database 2 of the Redis on 127.0.0.1:6379 (this branch's) and a key prefix
of their own, and delete their keys afterwards."""

import os
import subprocess
import sys
import time
import uuid

import pytest
import redis
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from accounts.tests.factories import totp_device
from accounts.tests.test_logins import PASSWORD, code_for, logged_in, post_login
from povertyplan import settings as config

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


def redis_up() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not redis_up(), reason=f"no Redis at {REDIS_URL}")


@pytest.fixture
def redis_sessions(settings):
    """The cache in Redis under a prefix of this test's own, and the sessions in that cache."""
    prefix = f"pp-imports-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {"default": config.redis_cache(REDIS_URL, prefix)}
    settings.SESSION_ENGINE = config.session_engine("cache", shared_cache=True)
    client = redis.Redis.from_url(REDIS_URL)
    yield lambda: sorted(k.decode() for k in client.scan_iter(match=f"{prefix}:*"))
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def session_keys(keys) -> list[str]:
    return [k for k in keys if "django.contrib.sessions.cache" in k]


# --- settings from the environment ---------------------------------------------------------


def settings_in(env: dict) -> subprocess.CompletedProcess:
    """What a process started with ``env`` reads as its settings (or the error it stops with)."""
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.CACHES['default'].get('LOCATION'), "
        "s.CACHES['default'].get('KEY_PREFIX'), s.SESSION_ENGINE)"
    )
    keep = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SESSION_STORE")}
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=django_settings.BASE_DIR,
        env={**keep, "DJANGO_SETTINGS_MODULE": "povertyplan.settings", "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_redis_url_puts_the_cache_and_the_sessions_in_redis():
    done = settings_in({"REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": "pp-check"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        REDIS_URL,
        "pp-check",
        "django.contrib.sessions.backends.cache",
    ]


def test_without_redis_url_the_cache_is_the_processs_own_and_sessions_in_the_database():
    done = settings_in({})
    assert done.stdout.split() == [
        "django.core.cache.backends.locmem.LocMemCache",
        "None",
        "None",
        "django.contrib.sessions.backends.db",
    ]


def test_the_session_store_is_chosen_and_refused_without_a_shared_cache():
    assert config.session_engine("cached_db", shared_cache=True).endswith(".cached_db")
    assert config.session_engine("db", shared_cache=True).endswith(".db")
    with pytest.raises(ImproperlyConfigured, match="needs REDIS_URL"):
        config.session_engine("cache", shared_cache=False)
    with pytest.raises(ImproperlyConfigured, match="must be one of"):
        config.session_engine("file", shared_cache=True)
    done = settings_in({"SESSION_STORE": "cache"})
    assert done.returncode != 0 and "SESSION_STORE=cache needs REDIS_URL" in done.stderr


def test_s3_storage_is_refused_with_the_install_line_when_django_storages_is_missing():
    try:  # django-storages is an optional install (docs/deployment.md)
        import storages  # noqa: F401
    except ImportError:
        done = settings_in({"STORAGE_BACKEND": "s3", "S3_BUCKET": "plans"})
        assert done.returncode != 0
        assert "pip install 'django-storages[s3]'" in done.stderr
    else:
        pytest.skip("django-storages is installed here")


def test_s3_storage_puts_every_alias_in_one_private_bucket_under_its_prefix(monkeypatch):
    import importlib.util

    found = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: object() if name == "storages" else found(name)
    )
    monkeypatch.setenv("S3_BUCKET", "povertyplan")
    monkeypatch.setenv("S3_ENDPOINT_URL", "https://s3.example.vn")
    made = config.s3_storages({"default": "media", "imports": "imports", "jobs": "jobs"})
    assert {alias: entry["OPTIONS"]["location"] for alias, entry in made.items()} == {
        "default": "media",
        "imports": "imports",
        "jobs": "jobs",
    }
    options = made["imports"]["OPTIONS"]
    assert made["imports"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["bucket_name"] == "povertyplan" and options["default_acl"] is None
    assert options["endpoint_url"] == "https://s3.example.vn" and options["querystring_auth"]
    monkeypatch.delenv("S3_BUCKET")
    with pytest.raises(ImproperlyConfigured, match="S3_BUCKET"):
        config.s3_storages({"default": "media"})


# --- logins with sessions in Redis -----------------------------------------------------------


@needs_redis
@pytest.mark.django_db
def test_a_login_lives_in_redis_and_its_cookie_works_from_another_client(redis_sessions, officer):
    first = Client()
    assert post_login(first, "officer", PASSWORD).status_code == 302
    assert logged_in(first) and not Session.objects.exists()
    assert len(session_keys(redis_sessions())) == 1
    cache.set("households.filters", "shared")  # the cache itself is Redis too
    assert any(k.endswith(":households.filters") for k in redis_sessions())

    second = Client()  # another web process would read the same Redis
    second.cookies["sessionid"] = first.cookies["sessionid"].value
    assert second.get("/households/").status_code == 200
    second.post("/logout/")
    assert session_keys(redis_sessions()) == []
    assert first.get("/households/").status_code == 302  # logged out everywhere


@needs_redis
@pytest.mark.django_db
def test_the_lockout_still_locks_with_sessions_in_redis(redis_sessions, officer, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    statuses = [post_login(client, "officer", f"wrong-{i}").status_code for i in range(4)]
    assert statuses == [200, 200, 429, 429]
    assert post_login(client, "officer", PASSWORD).status_code == 429
    assert not logged_in(client)


@needs_redis
@pytest.mark.django_db
def test_the_second_factor_is_asked_and_kept_in_a_session_in_redis(redis_sessions, officer):
    device = totp_device(officer)
    client = Client()
    post_login(client, "officer", PASSWORD, next_url="/households/")
    assert client.get("/households/")["Location"].startswith("/account/two-factor/verify/")
    right = client.post(
        "/account/two-factor/verify/", {"token": code_for(device), "next": "/households/"}
    )
    assert right["Location"] == "/households/"
    other = Client()  # the verified session, read by another process
    other.cookies["sessionid"] = client.cookies["sessionid"].value
    assert other.get("/households/").status_code == 200


@needs_redis
@pytest.mark.django_db
def test_an_idle_session_in_redis_expires_and_activity_extends_it(
    redis_sessions, officer, settings
):
    client = Client()
    post_login(client, "officer", PASSWORD)
    store = redis.Redis.from_url(REDIS_URL)
    (key,) = session_keys(redis_sessions())
    assert settings.SESSION_COOKIE_AGE - 5 <= store.ttl(key) <= settings.SESSION_COOKIE_AGE

    store.expire(key, 60)  # most of the idle time gone; the last touch two minutes ago
    session = client.session
    session["last_seen"] = int(time.time()) - 120
    session.save()
    store.expire(key, 60)
    assert client.get("/").status_code == 200
    assert store.ttl(key) > settings.SESSION_COOKIE_AGE - 10  # extended by the request

    session = client.session
    session["last_seen"] = int(time.time()) - settings.SESSION_COOKIE_AGE - 5
    session.save()  # a store that kept it too long: the middleware ends it
    assert client.get("/").status_code == 302 and not logged_in(client)

    post_login(client, "officer", PASSWORD)
    (key,) = session_keys(redis_sessions())
    store.delete(key)  # Redis dropped it at its expiry
    assert client.get("/households/")["Location"].startswith("/login/")
