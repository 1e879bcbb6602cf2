import pytest

from areas.tests.factories import AreaFactory


@pytest.fixture(autouse=True)
def _area_codes_stay_low():
    """Area codes come from one factory sequence shared by the whole run ("00001", …). The import
    tests create many areas; putting the sequence back after each keeps later tests' generated
    codes clear of the personas' fixed codes ("01090", "09999")."""
    options = AreaFactory._meta
    options._initialize_counter()
    start = options._counter.seq
    yield
    options._counter.reset(start)


@pytest.fixture(autouse=True)
def _jobs_run_when_the_request_ends(settings, monkeypatch, django_capture_on_commit_callbacks):
    """Import previews and confirms are background jobs, handed on when their transaction
    commits. Inside a test's transaction nothing commits, so the jobs of each request made with
    Django's test client run when that request ends, in this process (no broker): the next
    request sees their outcome, as a browser polling the page would. The worker tier itself is
    exercised in ``test_import_jobs.py`` and the two-instance test."""
    from django.test import Client

    settings.CELERY_BROKER_URL = ""
    settings.JOBS_EMBEDDED = "inline"
    request = Client.request

    def request_then_jobs(self, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return request(self, **kwargs)

    monkeypatch.setattr(Client, "request", request_then_jobs)
    monkeypatch.setattr(Client, "request_without_jobs", request, raising=False)


@pytest.fixture
def jobs_wait(monkeypatch):
    """Jobs started by a request wait (queued) until the test runs them, as a worker would
    (``jobs.services.run``): the pages in between are seen as a user sees them meanwhile."""
    from django.test import Client

    monkeypatch.setattr(Client, "request", Client.request_without_jobs)
