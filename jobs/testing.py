"""Helpers for tests that run the real processes of a deployment: a Celery worker and gunicorn,
as subprocesses pointed at the test database (PostgreSQL only: SQLite's test database lives in
the test process's memory), the broker and the test's file folders.

    with worker(queue=unique_queue()) as w:      # celery -A povertyplan worker --pool=solo
        ...
        w.kill()                                 # SIGKILL, as a crash would
    with web(port=free_port(), env={...}) as site:   # gunicorn povertyplan.wsgi
        requests to site.url

Each helper waits until the process is ready, and on leaving stops it (SIGTERM, then SIGKILL
after a few seconds). ``env`` overrides any variable of :func:`process_env`. Use them from
tests marked ``django_db(transaction=True)``: the processes see committed rows only."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
#: the Redis database the job tests use (another test run on the machine uses its own)
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")


def unique_queue(prefix: str = "test-jobs") -> str:
    """A queue name no other test run uses at the same time."""
    return f"{prefix}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The URL of the database this test process uses now (the test database during a test)."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        raise RuntimeError("only a PostgreSQL test database is visible to another process")
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


def process_env(**overrides: str) -> dict[str, str]:
    """The environment of a subprocess that shares this test's database, files and broker."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "povertyplan.settings",
            "DATABASE_URL": database_url(),
            "SECRET_KEY": settings.SECRET_KEY,
            "DEBUG": "0",
            "HTTPS": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "JOBS_RESULT_DIR": str(settings.JOBS_RESULT_DIR or ""),
            "IMPORT_UPLOAD_DIR": str(settings.IMPORT_UPLOAD_DIR),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL or TEST_REDIS_URL,
            "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
            "JOBS_STALE_SECONDS": str(settings.JOBS_STALE_SECONDS),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update({name: str(value) for name, value in overrides.items()})
    return env


class Running:
    """A started subprocess with its log (stdout and stderr together, in a file)."""

    def __init__(self, argv: list[str], env: dict[str, str], name: str):
        self.name = name
        self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in stop())
            prefix=f"{name}-", suffix=".log", delete=False
        )
        self.log_path = Path(self._log.name)
        self.process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: a signal reaches its children too
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_until(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}):\n{self.log()}")
            if ready():
                return
            time.sleep(0.1)
        raise TimeoutError(f"{self.name} not {what} after {timeout} s:\n{self.log()[-4000:]}")

    def signal(self, sig: int) -> None:
        if self.alive():
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def kill(self) -> None:
        """SIGKILL, as a crash or the kernel's OOM killer would: nothing is cleaned up."""
        self.signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, grace: float = 5) -> None:
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.kill()
        self._log.close()


@contextmanager
def started(
    argv: list[str],
    *,
    env: dict[str, str],
    ready: Callable[[Running], bool],
    name: str,
    timeout: float = 30,
) -> Iterator[Running]:
    """Run ``argv`` until the block ends; wait for ``ready(running)`` first."""
    running = Running(argv, env, name)
    try:
        running.wait_until(lambda: ready(running), timeout, "ready")
        yield running
    finally:
        running.stop()
        if os.environ.get("KEEP_PROCESS_LOGS") != "1":
            running.log_path.unlink(missing_ok=True)


@contextmanager
def worker(
    *,
    queue: str | None = None,
    env: dict[str, str] | None = None,
    args: list[str] | tuple[str, ...] = (),
    timeout: float = 30,
) -> Iterator[Running]:
    """``celery -A povertyplan worker --pool=solo`` on ``queue`` (default: the settings' queue),
    ready once it says so; ``args`` are added to its command line."""
    queue = queue or settings.CELERY_TASK_DEFAULT_QUEUE
    overrides = {"CELERY_QUEUE": queue, **(env or {})}
    argv = [
        sys.executable, "-m", "celery", "-A", "povertyplan", "worker",
        "--pool=solo", "--concurrency", "1", "-Q", queue,
        "-n", f"{queue}-{uuid.uuid4().hex[:6]}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--loglevel", "INFO", *args,
    ]  # fmt: skip
    with started(
        argv,
        env=process_env(**overrides),
        ready=lambda running: " ready." in running.log(),
        name="worker",
        timeout=timeout,
    ) as running:
        yield running


@contextmanager
def web(
    *,
    port: int | None = None,
    env: dict[str, str] | None = None,
    args: list[str] | tuple[str, ...] = (),
    timeout: float = 30,
) -> Iterator[Running]:
    """``gunicorn povertyplan.wsgi -b 127.0.0.1:<port>`` (one worker unless ``args`` say
    otherwise), ready once it accepts connections; ``running.url`` is its address."""
    port = port or free_port()
    argv = [
        sys.executable, "-m", "gunicorn", "povertyplan.wsgi",
        "-b", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60", *args,
    ]  # fmt: skip

    def accepts(_running: Running) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            return False

    with started(
        argv, env=process_env(**(env or {})), ready=accepts, name="web", timeout=timeout
    ) as running:
        running.url = f"http://127.0.0.1:{port}"
        running.port = port
        yield running
