"""The plan's PDF link: the PDF at once when the report engine estimates it quick, a background
job offering it on the job's page when it would take longer than a page should."""

import pytest
from django.urls import reverse

from jobs.models import Job
from plan import jobs as plan_jobs
from plan.tests.test_official import pdf_text, plan_url

pytestmark = pytest.mark.django_db


def pdf_url(commune, year=2024):
    return f"{reverse('plan_pdf')}?commune={commune.pk}&year={year}"


@pytest.fixture
def inline(settings):
    settings.CELERY_BROKER_URL = ""
    settings.JOBS_EMBEDDED = "inline"


def test_the_estimate_is_the_report_engines_for_the_plan(commune, village_a, village_b):
    from reports import registry
    from reports.render import estimate_seconds, expected_rows

    spec = registry.spec("plan")
    expected = estimate_seconds("pdf", expected_rows(spec, commune, 2024))
    assert plan_jobs.pdf_seconds(commune, 2024) == expected > 0


def test_a_quick_plan_pdf_comes_from_the_report_view(client, officer, commune, settings):
    settings.PLAN_PDF_JOB_SECONDS = 60
    client.force_login(officer)
    assert 'data-testid="plan-pdf"' in client.get(plan_url(commune)).text
    response = client.get(pdf_url(commune))
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('report', args=['plan'])}?area={commune.pk}&year=2024&format=pdf"
    )
    assert not Job.objects.exists()


def test_a_long_plan_pdf_is_a_job_offered_on_its_page(
    client, officer, commune, settings, inline, django_capture_on_commit_callbacks
):
    settings.PLAN_PDF_JOB_SECONDS = 0
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(pdf_url(commune))
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.kind == plan_jobs.PLAN_PDF and job.params == {"commune": commune.pk, "year": 2024}
    page = client.get(response["Location"])
    assert "chạy nền" in page.text and 'data-testid="job-download"' in page.text
    download = client.get(f"/jobs/{job.pk}/download/")
    pdf = b"".join(download.streaming_content)
    assert download["Content-Disposition"].endswith(f'filename="plan-{commune.code}-2024.pdf"')
    text = " ".join(pdf_text(pdf))
    assert "KẾ HOẠCH" in text and "DỰ THẢO" in text  # the document, a draft until confirmed


def test_the_plan_pdf_job_is_refused_outside_the_users_scope(client, other_officer, commune):
    client.force_login(other_officer)
    assert client.get(pdf_url(commune)).status_code == 404
    assert not Job.objects.exists()
