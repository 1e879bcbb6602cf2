"""No state in the web process (issue 16, item 2): two gunicorn instances on two ports share the
PostgreSQL test database and Redis (cache and sessions), with one Celery worker on Redis. A user
logs in through instance A; an import is uploaded through A, previewed by the worker, and
confirmed through B with the same session cookie; a background export started on A is
downloaded from B, and so is a report batch (every commune of a district in one zip). Each
instance is a separate process: nothing of the user's, the import's or the job's lives in
either, only in the database, Redis and the shared file folders (a bucket in a deployment of
several machines).

PostgreSQL only: SQLite's test database lives in this process's memory, so no other process
sees it. Redis database 2 (this branch's), a queue and key prefix of the test's own."""

import http.cookiejar
import io
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from contextlib import ExitStack

import openpyxl
import pytest
import redis
from django.db import connection, transaction

from households import services
from households.models import Household, Member
from households.tests.factories import ReviewCycleFactory
from imports.models import ImportBatch
from imports.tests.test_imports import good_registry

REDIS_URL = "redis://127.0.0.1:6379/2"
PASSWORD = "secret-pass-123"  # UserFactory's

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the processes share the test database: PostgreSQL only (SQLite's test database "
        "is in this process's memory)",
    ),
    pytest.mark.django_db(transaction=True),
]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is returned to the test, which looks at it


class Browser:
    """One user's browser: one cookie jar for every instance (cookies ignore the port)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.jar if c.name == name)

    def open(self, url: str, data: bytes | None = None, headers: dict | None = None):
        request = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def get(self, url: str):
        return self.open(url)

    def post(self, url: str, fields: dict, files: dict | None = None):
        fields = {"csrfmiddlewaretoken": self.cookie("csrftoken"), **fields}
        if not files:
            body = urllib.parse.urlencode(fields).encode()
            return self.open(url, body, {"Content-Type": "application/x-www-form-urlencoded"})
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            parts.append(f"{head}{value}\r\n".encode())
        for name, (filename, content) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.open(url, b"".join(parts), headers)


def until(check, timeout: float = 20, what: str = ""):
    """Poll ``check()`` until it gives something true, as a page polling a job does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"not {what} after {timeout} s")


@pytest.fixture
def site(settings, tmp_path):
    """Instances A and B and one worker, sharing the test database, Redis and the file folders."""
    from jobs.testing import unique_queue, web, worker

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    queue = unique_queue("test-two-instances")
    prefix = f"pp-imports-two-{uuid.uuid4().hex[:8]}"
    shared = {
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        "SESSION_STORE": "cache",
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_QUEUE": queue,
        "JOBS_RESULT_DIR": str(tmp_path / "jobs"),
        "EXPORT_JOB_HOUSEHOLDS": "0",  # every household export a job
        # Static files from the app folders: with DEBUG off they would need a collectstatic run
        # (the manifest); nothing else here depends on it (HTTPS stays off, hosts are listed).
        "DEBUG": "1",
    }
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    with ExitStack() as stack:
        processes = {
            "worker": stack.enter_context(worker(queue=queue, env=shared, timeout=60)),
            "a": stack.enter_context(web(env=shared, timeout=60)),
            "b": stack.enter_context(web(env=shared, timeout=60)),
        }
        yield processes
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
    client.delete(queue)


def form_value(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def log_in(url: str, username: str) -> Browser:
    user = Browser()
    assert user.get(f"{url}/login/")[0] == 200
    status, headers, _body = user.post(
        f"{url}/login/", {"username": username, "password": PASSWORD, "next": "/imports/"}
    )
    assert status == 302 and headers["Location"] == "/imports/"
    return user


def test_an_import_previewed_through_one_instance_is_confirmed_through_the_other(
    site, poverty_standards, district, commune, village_a, officer, viewer
):
    a, b = site["a"].url, site["b"].url
    user = log_in(a, "officer")
    assert user.get(f"{b}/households/")[0] == 200  # B knows the session A made (Redis)

    # Upload through A: the request stores the file and starts the preview job.
    page = user.get(f"{a}/imports/")[2].decode()
    status, headers, _body = user.post(
        f"{a}/imports/upload/households/",
        {"commune": commune.pk, "token": form_value(page, "token")},
        {"file": ("danh-sach.xlsx", good_registry().getvalue())},
    )
    batch = ImportBatch.objects.get()
    assert status == 302 and headers["Location"] == f"/imports/{batch.token}/"

    # The worker previews it; B shows the preview.
    preview = until(
        lambda: (
            (html := user.get(f"{b}/imports/{batch.token}/")[2].decode())
            and "Xác nhận nhập" in html
            and html
        ),
        what="previewed",
    )
    assert "VH-001" in preview and Household.objects.count() == 0

    # Confirm through B; the worker writes it; B sends the user to the import page.
    status, headers, _body = user.post(f"{b}/imports/{batch.token}/confirm/", {})
    assert status == 302 and headers["Location"] == f"/imports/{batch.token}/"
    until(
        lambda: user.get(f"{b}/imports/{batch.token}/")[1].get("Location") == "/imports/",
        what="confirmed",
    )
    household = Household.objects.get()
    assert household.code == "VH-001" and Member.objects.get().household == household
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CONFIRMED and batch.job.kind == "imports.confirm"

    # A background export started on A, downloaded from B.
    status, headers, _body = user.get(f"{a}/imports/export/households/")
    assert status == 302 and headers["Location"].startswith("/jobs/")
    job_page = headers["Location"]
    until(
        lambda: 'data-status="done"' in user.get(f"{b}{job_page}progress/")[2].decode(),
        what="exported",
    )
    status, headers, content = user.get(f"{b}{job_page}download/")
    assert status == 200 and "ho-gia-dinh.xlsx" in headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Hộ gia đình"]
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["VH-001"]

    user.post(f"{b}/logout/", {})
    assert user.get(f"{a}/households/")[0] == 302  # logged out on both

    # A report batch (every commune of the district, one zip) started on A, downloaded from B.
    with transaction.atomic():
        cycle = ReviewCycleFactory(commune=commune, year=2024)
        services.assessment_record(cycle=cycle, household=household, income_per_capita=900_000)
    watcher = log_in(a, "viewer")
    status, headers, _body = watcher.post(
        f"{a}/reports/baseline/batch/", {"area": district.pk, "format": "xlsx"}
    )
    assert status == 302 and headers["Location"].startswith("/jobs/")
    job_page = headers["Location"]
    status_of = re.compile(r'data-status="(\w+)"')
    ended = until(
        lambda: (
            status_of.search(watcher.get(f"{b}{job_page}progress/")[2].decode()).group(1)
            in ("done", "failed")
        ),
        what="batch made",
    )
    from jobs.models import Job

    job = Job.objects.get(kind="reports.batch")
    assert ended and job.status == Job.Status.DONE, (job.error, site["worker"].log()[-3000:])
    status, headers, content = watcher.get(f"{b}{job_page}download/")
    assert status == 200 and headers["Content-Disposition"].endswith('.zip"')
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
    assert any(name.endswith(".xlsx") for name in names), names
