"""Reports that list households (``lists``) only for areas whose persons the user may see; the
aggregate reports still go up to the commune for a village board; every download of a list is
logged with its row count."""

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from accounts.tests.factories import UserFactory
from audit.models import AccessLog
from households.tests.report_data import populate
from reports.registry import SPECS
from reports.tests.text import document_text

pytestmark = pytest.mark.django_db

FORMATS = ("html", "pdf", "xlsx", "csv", "json")


def url(slug, **params):
    return reverse("report", args=[slug]) + "?" + urlencode(params)


def text_of(response) -> str:
    return document_text(response.content)


@pytest.fixture
def data(village_a, village_b):
    mine = populate(village_a, 4, poor=2, near=1, year=2023)
    theirs = populate(village_b, 3, poor=2, year=2023)
    for label, homes in (("Của Thôn A", mine), ("Bí Mật Thôn B", theirs)):
        for i, home in enumerate(homes):
            home.head_name = f"{label} {i}"
            home.save(update_fields=["head_name"])
    return {"commune": village_a.parent, "mine": mine, "theirs": theirs}


@pytest.fixture
def finance(commune):
    return UserFactory(username="finance", membership=(commune, "finance"))


def test_only_the_lists_report_is_personal():
    # the household lists, the review's documents that name households (review/reports), and
    # the exit pathway lists (exits/reports.py)
    assert {slug for slug, spec in SPECS.items() if spec.personal} == {
        "lists",
        "review_households",
        "review_form",
        "review_minutes",
        "review_posting",
        "review_complaints",
        "review_decision",
        "exits",
        "exits_planned",
    }


def test_a_board_gets_no_list_of_its_commune_or_of_another_village(
    client, data, board_a, village_b
):
    client.force_login(board_a)
    foreign = [h.code for h in data["theirs"]] + [h.head_name for h in data["theirs"]]
    for area, status in ((data["commune"], 403), (village_b, 400)):
        for fmt in FORMATS:
            response = client.get(url("lists", area=area.pk, year=2023, format=fmt))
            assert response.status_code == status, (area.name, fmt)
            text = response.content.decode()
            assert not any(secret in text for secret in foreign), (area.name, fmt)
    refusal = client.get(url("lists", area=data["commune"].pk, year=2023)).content.decode()
    assert "liệt kê từng hộ" in refusal
    assert 'href="/reports/"' in refusal  # no dead end: the way back to the reports
    assert not AccessLog.objects.exists()


def test_a_board_gets_its_own_village_list_and_the_commune_aggregates(
    client, data, board_a, village_a
):
    client.force_login(board_a)
    own = client.get(url("lists", area=village_a.pk, year=2023, format="xlsx"))
    assert own.status_code == 200
    text = text_of(own)
    assert data["mine"][0].head_name in text
    assert not any(h.head_name in text for h in data["theirs"])
    baseline = client.get(url("baseline", area=data["commune"].pk, year=2023))
    assert baseline.status_code == 200 and "Hộ nghèo" in baseline.content.decode()


def test_finance_gets_aggregates_but_no_list(client, data, finance, village_a):
    client.force_login(finance)
    for area in (data["commune"], village_a):
        assert client.get(url("lists", area=area.pk, year=2023)).status_code == 403
    assert client.get(url("baseline", area=data["commune"].pk, year=2023)).status_code == 200


def test_the_reports_index_offers_a_board_its_village_list_not_the_commune(
    client, data, board_a, village_a
):
    client.force_login(board_a)
    links = client.get(reverse("report_index")).context["links"]
    lists = [link for link in links if link["slug"] == "lists"]
    assert [link["html"] for link in lists] == [url("lists", area=village_a.pk, year=2023)]
    assert "Thôn A" in lists[0]["title"]
    baseline = next(link for link in links if link["slug"] == "baseline")
    assert f"area={data['commune'].pk}" in baseline["html"]


def test_the_officer_and_the_viewer_get_the_commune_lists(client, data, officer, viewer):
    for user in (officer, viewer):
        client.force_login(user)
        response = client.get(url("lists", area=data["commune"].pk, year=2023, format="csv"))
        assert response.status_code == 200
        assert data["theirs"][0].head_name in response.content.decode()


def test_every_download_of_a_list_is_logged_with_its_rows(client, data, officer, commune):
    client.force_login(officer)
    for fmt in FORMATS:
        assert client.get(url("lists", area=commune.pk, year=2023, format=fmt)).status_code == 200
    client.get(url("baseline", area=commune.pk, year=2023, format="csv"))  # aggregate: no log
    logs = AccessLog.objects.filter(action=AccessLog.Action.REPORT_DOWNLOAD).order_by("id")
    assert [e.what for e in logs] == [f"lists.{fmt} 2023" for fmt in FORMATS]
    assert {(e.user, e.area, e.rows) for e in logs} == {(officer, commune, 5)}
