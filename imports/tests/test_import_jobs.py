"""The preview and the confirm of an import are background jobs: the requests return at once,
the batch's page shows the job's progress and then its outcome, a failed job writes nothing and
says why, and the batch alone carries the import from one step to the next."""

import datetime

import pytest
from django.utils import timezone

from households.models import Household
from imports import jobs as import_jobs
from imports.models import ImportBatch
from imports.storage import UploadStorage
from imports.tests.test_imports import confirm, good_registry, imported, registry_file
from jobs import services
from jobs.models import Job

pytestmark = pytest.mark.django_db


def send(client, commune, source):
    """The upload alone (not followed): the request that stores the file and starts the job."""
    token = client.get("/imports/").context["token"]
    return client.post(
        "/imports/upload/households/", {"commune": commune.pk, "file": source, "token": token}
    )


def the_batch() -> ImportBatch:
    return ImportBatch.objects.select_related("job").get()


def test_the_upload_returns_at_once_and_the_page_shows_the_preview_once_its_job_ran(
    client, commune, village_a, officer, jobs_wait
):
    client.force_login(officer)
    response = send(client, commune, good_registry())
    batch = the_batch()
    assert response.status_code == 302 and response["Location"] == f"/imports/{batch.token}/"
    assert batch.job.kind == import_jobs.PREVIEW and batch.job.status == Job.Status.QUEUED
    assert batch.job.user == officer and batch.job.area == commune
    assert batch.status == ImportBatch.Status.UPLOADED and batch.shown == {}

    waiting = client.get(response["Location"])
    assert waiting.status_code == 200 and 'data-testid="job-working"' in waiting.text
    assert f'hx-get="/imports/{batch.token}/status/"' in waiting.text
    poll = client.get(f"/imports/{batch.token}/status/", headers={"HX-Request": "true"})
    assert poll.status_code == 200 and "HX-Refresh" not in poll

    services.run(batch.job.pk)  # what the worker does
    poll = client.get(f"/imports/{batch.token}/status/", headers={"HX-Request": "true"})
    assert poll["HX-Refresh"] == "true"  # the page reloads, and shows the preview
    page = client.get(response["Location"])
    assert "Xem trước khi nhập" in page.text and "VH-001" in page.text
    assert page.context["report"].counts["new"] == 1
    job = Job.objects.get(pk=batch.job.pk)
    assert job.status == Job.Status.DONE and job.finished_at
    assert Household.objects.count() == 0


def test_the_confirm_returns_at_once_and_a_second_confirm_is_refused_meanwhile(
    client, commune, village_a, officer, jobs_wait
):
    client.force_login(officer)
    send(client, commune, good_registry())
    services.run(the_batch().job.pk)
    token = the_batch().token

    response = client.post(f"/imports/{token}/confirm/", {"accept_warnings": "1"})
    assert response.status_code == 302 and response["Location"] == f"/imports/{token}/"
    batch = the_batch()
    assert batch.status == ImportBatch.Status.CONFIRMING and batch.job.kind == import_jobs.CONFIRM
    assert batch.job.params == {"batch": batch.pk, "valid_only": False, "accept_warnings": True}
    assert "Đang nhập" in client.get(f"/imports/{token}/").text
    second = client.post(f"/imports/{token}/confirm/")  # a double click, a second tab
    assert second.status_code == 404 and "đã được xác nhận nhập" in second.text
    assert Job.objects.filter(kind=import_jobs.CONFIRM).count() == 1

    services.run(batch.job.pk)
    done = client.get(f"/imports/{token}/", follow=True)
    assert imported(done) and Household.objects.get().code == "VH-001"
    assert the_batch().status == ImportBatch.Status.CONFIRMED


def test_a_confirm_that_fails_midway_writes_nothing_and_says_so(
    client, commune, village_a, officer, monkeypatch
):
    from imports.registry import HouseholdImport

    client.force_login(officer)
    page = client.post(
        "/imports/upload/households/",
        {
            "commune": commune.pk,
            "file": good_registry(),
            "token": client.get("/imports/").context["token"],
        },
        follow=True,
    )
    token = page.context["token"]
    write = HouseholdImport.write

    def write_then_fail(self):
        write(self)  # every household written, then the worker hits a fault
        assert Household.objects.count() == 1
        raise RuntimeError("disk full at /var/lib/postgresql")

    monkeypatch.setattr(HouseholdImport, "write", write_then_fail)
    failed = confirm(client, token)
    assert Household.objects.count() == 0  # the one transaction rolled back
    assert failed.request["PATH_INFO"] == f"/imports/{token}/"
    assert "Việc không hoàn thành được do một lỗi của hệ thống" in failed.text
    assert "Không có gì được ghi." in failed.text and "/var/lib" not in failed.text
    assert the_batch().status == ImportBatch.Status.FAILED  # open: it may be confirmed again
    monkeypatch.setattr(HouseholdImport, "write", write)
    assert imported(confirm(client, token)) and Household.objects.count() == 1


def test_a_preview_whose_file_is_gone_fails_with_a_clear_message(
    client, commune, village_a, officer, jobs_wait
):
    from imports.storage import import_uploads

    client.force_login(officer)
    send(client, commune, good_registry())
    batch = the_batch()
    import_uploads().delete(batch.file.name)  # removed before the worker got to it
    services.run(batch.job.pk)
    page = client.get(f"/imports/{batch.token}/")
    assert "Tệp đã tải lên không còn dùng được" in page.text
    assert 'data-testid="retry"' in page.text and Household.objects.count() == 0


def test_a_confirm_refused_by_the_job_leaves_the_batch_to_confirm_again(
    client, commune, village_a, officer, jobs_wait
):
    client.force_login(officer)
    send(client, commune, good_registry())
    services.run(the_batch().job.pk)
    token = the_batch().token
    client.post(f"/imports/{token}/confirm/")
    job = the_batch().job
    role = officer.memberships.get()
    role.delete()  # the officer lost the commune before the worker ran the confirm
    services.run(job.pk)
    assert Job.objects.get(pk=job.pk).status == Job.Status.FAILED
    assert Household.objects.count() == 0
    role.save()
    page = client.get(f"/imports/{token}/")
    assert "Bạn không còn quyền làm việc này" in page.text and "Xác nhận nhập" in page.text
    assert the_batch().status == ImportBatch.Status.FAILED


def test_a_confirm_whose_worker_died_is_retried_from_the_page(
    client, commune, village_a, officer, jobs_wait, settings
):
    client.force_login(officer)
    send(client, commune, good_registry())
    services.run(the_batch().job.pk)
    token = the_batch().token
    client.post(f"/imports/{token}/confirm/")
    job = the_batch().job
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.JOBS_STALE_SECONDS + 5)
    # What a worker killed mid-job leaves: the job running, its heartbeat stopped, and its
    # transaction rolled back by the database.
    Job.objects.filter(pk=job.pk).update(status="running", heartbeat_at=long_ago, attempts=1)
    page = client.get(f"/imports/{token}/")
    assert 'data-testid="job-interrupted"' in page.text and 'data-testid="retry"' in page.text
    assert client.post(f"/imports/{token}/confirm/").status_code == 404  # still claimed
    assert client.post(f"/imports/{token}/retry/").status_code == 302
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    services.run(job.pk)
    assert imported(client.get(f"/imports/{token}/", follow=True))
    assert Household.objects.count() == 1 and Job.objects.get(pk=job.pk).attempts == 2


def test_a_board_member_imports_through_a_job_of_their_village(client, commune, village_a, board_a):
    client.force_login(board_a)
    source = registry_file(
        [["VH-001", "Thôn A", "Nguyễn Văn Đức", "", 40, ""]],
        [["VH-001", "Nguyễn Văn Đức", "Nam", "", "Chủ hộ", "", ""]],
    )
    page = client.post(
        "/imports/upload/households/",
        {"commune": commune.pk, "file": source, "token": client.get("/imports/").context["token"]},
        follow=True,
    )
    assert the_batch().job.area == village_a  # where the board may import
    assert imported(confirm(client, page.context["token"]))
    assert Household.objects.get().village == village_a


def test_nobody_else_sees_a_batchs_page(client, commune, village_a, officer, other_officer):
    client.force_login(officer)
    page = client.post(
        "/imports/upload/households/",
        {
            "commune": commune.pk,
            "file": good_registry(),
            "token": client.get("/imports/").context["token"],
        },
        follow=True,
    )
    token = page.context["token"]
    client.force_login(other_officer)
    assert client.get(f"/imports/{token}/").status_code == 404
    assert client.post(f"/imports/{token}/retry/").status_code == 404


# --- exports as jobs ----------------------------------------------------------------------------


def download(client, job_page) -> bytes:
    response = client.get(job_page.request["PATH_INFO"] + "download/")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_a_household_export_above_the_threshold_is_a_job_logged_as_the_request_was(
    client, commune, village_a, officer, settings
):
    from audit.models import AccessLog
    from households.tests.factories import HouseholdFactory
    from imports.tests.test_exports import load

    for n in (1, 2, 3):
        HouseholdFactory(village=village_a, code=f"VH-00{n}")
    client.force_login(officer)
    settings.EXPORT_JOB_HOUSEHOLDS = 3
    small = client.get("/imports/export/households/")  # at the threshold: in the request
    assert small.status_code == 200 and not Job.objects.exists()
    settings.EXPORT_JOB_HOUSEHOLDS = 2
    page = client.get("/imports/export/households/?sort=code", follow=True)
    job = Job.objects.get()
    assert page.request["PATH_INFO"] == f"/jobs/{job.pk}/" and "chạy nền" in page.text
    assert job.kind == import_jobs.EXPORT_HOUSEHOLDS and job.status == Job.Status.DONE
    assert job.result_name == "ho-gia-dinh.xlsx" and job.params == {"query": "sort=code"}
    rows = load(download(client, page))["Hộ gia đình"].iter_rows(min_row=2)
    assert [r[0].value for r in rows] == ["VH-001", "VH-002", "VH-003"]
    logged = AccessLog.objects.filter(action=AccessLog.Action.EXPORT).order_by("pk")
    # The request's export, the job's start, then the job's download (each download is logged).
    assert [(e.what, e.rows) for e in logged][:2] == [("Danh sách hộ gia đình (Excel)", 3)] * 2
    assert [(e.what, e.object_id, e.area_id) for e in logged][2:] == [
        (f"Tải về: {job.label}", str(job.pk), job.area_id)
    ]
    download(client, page)
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == 4


def test_an_export_job_is_its_owners_and_needs_the_persons_role(
    client, commune, village_a, officer, other_officer, settings
):
    from households.tests.factories import HouseholdFactory

    HouseholdFactory(village=village_a, code="VH-001")
    settings.EXPORT_JOB_HOUSEHOLDS = 0
    client.force_login(officer)
    page = client.get("/imports/export/households/", follow=True)
    client.force_login(other_officer)
    assert client.get(page.request["PATH_INFO"] + "download/").status_code == 404
    from accounts.tests.factories import UserFactory

    accountant = UserFactory(username="ketoan", membership=(commune, "finance"))
    client.force_login(accountant)
    assert client.get("/imports/export/households/").status_code == 403
    assert Job.objects.count() == 1
    # Its owner, once moved to a role without the persons right, no longer downloads it.
    client.force_login(officer)
    assert client.get(page.request["PATH_INFO"] + "download/").status_code == 200
    officer.memberships.update(role="finance")
    assert client.get(page.request["PATH_INFO"] + "download/").status_code == 404


def test_a_results_export_above_the_threshold_is_a_job(
    client, commune, village_a, officer, settings
):
    from households import services as household_services
    from households.tests.factories import HouseholdFactory, MemberFactory, ReviewCycleFactory
    from imports.tests.test_exports import load

    cycle = ReviewCycleFactory(commune=commune, year=2024)
    for n in (1, 2):
        home = HouseholdFactory(village=village_a, code=f"VH-00{n}")
        MemberFactory(household=home)
        household_services.assessment_record(cycle=cycle, household=home, income_per_capita=900_000)
    settings.EXPORT_JOB_HOUSEHOLDS = 1
    client.force_login(officer)
    page = client.get(f"/imports/export/results/{cycle.pk}/", follow=True)
    job = Job.objects.get()
    assert job.kind == import_jobs.EXPORT_RESULTS and job.result_name == "ket-qua-ra-soat-2024.xlsx"
    workbook = load(download(client, page))
    assert sorted(r[0].value for r in workbook["Kết quả rà soát"].iter_rows(min_row=2)) == [
        "VH-001",
        "VH-002",
    ]


def test_a_household_export_wider_than_a_commune_is_a_job_however_small(
    client, commune, village_a, district, viewer
):
    from areas.tests.factories import CommuneFactory, VillageFactory
    from households.tests.factories import HouseholdFactory
    from imports.tests.test_exports import load

    second = VillageFactory(parent=CommuneFactory(parent=district, name="Xã Thứ Hai"))
    HouseholdFactory(village=village_a, code="VH-001")
    HouseholdFactory(village=second, code="TH-001")
    client.force_login(viewer)
    page = client.get("/imports/export/households/", follow=True)
    assert page.request["PATH_INFO"].startswith("/jobs/") and "job-download" in page.text
    assert Job.objects.get().area == district
    rows = load(download(client, page))["Hộ gia đình"].iter_rows(min_row=2)
    assert sorted(r[0].value for r in rows) == ["TH-001", "VH-001"]
    one = client.get(f"/imports/export/households/?commune={commune.pk}&village={village_a.pk}")
    assert one.status_code == 200 and Job.objects.count() == 1  # one village: in the request
    one = client.get(f"/imports/export/households/?commune={commune.pk}")
    assert one.status_code == 200 and Job.objects.count() == 1  # one commune: in the request


def test_a_confirm_whose_message_was_lost_is_offered_retry_and_cancel(
    client, commune, village_a, officer, jobs_wait, settings
):
    client.force_login(officer)
    send(client, commune, good_registry())
    services.run(the_batch().job.pk)
    token = the_batch().token
    client.post(f"/imports/{token}/confirm/")
    job = the_batch().job
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.JOBS_QUEUED_STALE_SECONDS + 5)
    # What a Redis restart (or a web process dying before the hand-over) leaves: queued forever.
    Job.objects.filter(pk=job.pk).update(heartbeat_at=long_ago, created_at=long_ago)
    page = client.get(f"/imports/{token}/")
    assert 'data-testid="job-interrupted"' in page.text and 'data-testid="retry"' in page.text
    assert "hx-trigger" not in page.text and f"/imports/{token}/cancel/" in page.text
    assert client.post(f"/imports/{token}/cancel/").status_code == 302
    assert the_batch().status == ImportBatch.Status.CANCELLED
    assert Job.objects.get(pk=job.pk).status == Job.Status.FAILED
    assert services.run(job.pk) is None  # a late delivery runs nothing
    assert not Household.objects.exists()


def test_a_confirm_queued_a_moment_ago_cannot_be_cancelled(
    client, commune, village_a, officer, jobs_wait
):
    client.force_login(officer)
    send(client, commune, good_registry())
    services.run(the_batch().job.pk)
    token = the_batch().token
    client.post(f"/imports/{token}/confirm/")
    response = client.post(f"/imports/{token}/cancel/")
    assert response.status_code == 302 and response["Location"] == f"/imports/{token}/"
    assert the_batch().status == ImportBatch.Status.CONFIRMING
    services.run(the_batch().job.pk)
    assert the_batch().status == ImportBatch.Status.CONFIRMED


class UndeletableStorage(UploadStorage):
    """An upload storage whose deletes fail (a bucket gone away after the import committed)."""

    def delete(self, name):
        raise OSError("the storage refused the delete")


def test_a_confirm_that_wrote_is_confirmed_even_if_its_files_cannot_be_removed(
    client, commune, village_a, officer, jobs_wait, settings
):
    client.force_login(officer)
    send(client, commune, good_registry())
    services.run(the_batch().job.pk)
    token = the_batch().token
    client.post(f"/imports/{token}/confirm/")
    settings.STORAGES = {
        **settings.STORAGES,
        "imports": {"BACKEND": f"{__name__}.UndeletableStorage"},
    }
    job = services.run(the_batch().job.pk)
    assert job.status == Job.Status.DONE
    assert the_batch().status == ImportBatch.Status.CONFIRMED
    assert imported(client.get(f"/imports/{token}/", follow=True))
    assert Household.objects.get().code == "VH-001"


def test_the_job_page_of_a_failed_confirm_sends_to_the_batch_page_to_retry(
    client, commune, village_a, officer, jobs_wait
):
    client.force_login(officer)
    send(client, commune, good_registry())
    services.run(the_batch().job.pk)
    token = the_batch().token
    client.post(f"/imports/{token}/confirm/")
    job = the_batch().job
    role = officer.memberships.get()
    role.delete()
    services.run(job.pk)
    role.save()
    page = client.get(f"/jobs/{job.pk}/").text
    assert 'data-testid="job-retry-page"' in page and f'href="/imports/{token}/"' in page
    assert 'data-testid="job-retry"' not in page
    response = client.post(f"/jobs/{job.pk}/retry/")
    assert response.status_code == 302 and response["Location"] == f"/imports/{token}/"
    assert Job.objects.get(pk=job.pk).status == Job.Status.FAILED  # not run again from there
    assert "Xác nhận nhập" in client.get(f"/imports/{token}/").text  # confirmed again there
