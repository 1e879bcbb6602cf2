"""The access log: what an entry records, its read-only admin page, and the retention purge."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from audit.services import access_log, access_log_purge

pytestmark = pytest.mark.django_db


def entry(user, *, days_ago=0, **fields):
    logged = access_log(
        user=user, action=fields.pop("action", AccessLog.Action.EXPORT), what="x", **fields
    )
    if days_ago:
        AccessLog.objects.filter(pk=logged.pk).update(
            at=timezone.now() - datetime.timedelta(days=days_ago)
        )
    return logged


def test_an_entry_records_who_where_what_path_and_address(officer, village_a, settings):
    request = RequestFactory().get("/households/7/?x=1", REMOTE_ADDR="10.0.0.5")
    request.user = officer
    logged = access_log(
        request=request,
        action=AccessLog.Action.VIEW_HOUSEHOLD,
        area=village_a,
        obj=village_a,
        rows=3,
    )
    logged.refresh_from_db()
    assert (logged.user, logged.username, logged.area, logged.rows) == (
        officer,
        "officer",
        village_a,
        3,
    )
    assert logged.what == str(village_a) and logged.object_type == "areas.area"
    assert logged.path == "/households/7/?x=1" and logged.ip == "10.0.0.5"
    settings.AUDIT_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    request.META["HTTP_X_REAL_IP"] = "203.0.113.9"
    assert access_log(request=request, action=AccessLog.Action.EXPORT).ip == "203.0.113.9"


def test_an_entry_keeps_the_username_when_the_user_is_deleted(officer):
    logged = entry(officer)
    officer.delete()
    logged.refresh_from_db()
    assert logged.user is None and logged.username == "officer"


def test_the_purge_deletes_entries_older_than_the_retention(officer, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    old, recent = entry(officer, days_ago=31), entry(officer, days_ago=29)
    assert access_log_purge() == 1
    assert list(AccessLog.objects.all()) == [recent]
    assert not AccessLog.objects.filter(pk=old.pk).exists()


def test_the_purge_command_takes_the_days_or_the_setting(officer, settings):
    settings.AUDIT_RETENTION_DAYS = 730
    entry(officer, days_ago=800)
    entry(officer, days_ago=100)
    out = io.StringIO()
    call_command("purge_access_log", stdout=out)
    assert AccessLog.objects.count() == 1 and "1" in out.getvalue()
    call_command("purge_access_log", "--days", "50", stdout=io.StringIO())
    assert AccessLog.objects.count() == 0


def test_the_admin_lists_filters_and_searches_but_changes_nothing(
    client, administrator, officer, village_a
):
    logged = entry(officer, area=village_a, action=AccessLog.Action.REVEAL_CITIZEN_ID)
    client.force_login(administrator)
    changelist = reverse("admin:audit_accesslog_changelist")
    response = client.get(changelist)
    assert response.status_code == 200 and "officer" in response.content.decode()
    filtered = client.get(changelist, {"action": "reveal_citizen_id", "q": "officer"})
    assert filtered.status_code == 200 and filtered.context["cl"].result_count == 1
    assert client.get(changelist, {"action": "export"}).context["cl"].result_count == 0
    assert client.get(reverse("admin:audit_accesslog_add")).status_code == 403
    detail = client.get(reverse("admin:audit_accesslog_change", args=[logged.pk]))
    assert detail.status_code == 200 and b'name="_save"' not in detail.content
    client.post(reverse("admin:audit_accesslog_delete", args=[logged.pk]), {"post": "yes"})
    assert AccessLog.objects.filter(pk=logged.pk).exists()
