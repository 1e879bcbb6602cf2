import datetime

import pytest
from django.urls import reverse

from budget import services
from budget.models import BudgetLine, Disbursement, StatedTotal
from budget.tests.factories import BudgetLineFactory, source
from projects.tests.factories import SubProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(commune):
    return BudgetLineFactory(commune=commune, allocated=100_000_000)


def payment(**extra):
    return {"paid_on": "2024-06-30", "amount": "60.000.000", "document": "GRDT 01", **extra}


def test_the_budget_page_shows_millions_rates_and_the_seed_discrepancy(client, officer, commune):
    nstw = BudgetLineFactory(commune=commune, kind="unsplit", allocated=2_975_000_000)
    BudgetLineFactory(commune=commune, kind="unsplit", source=source("NSDP"), allocated=74_300_000)
    services.stated_total_create(
        commune=commune, year=2024, label="Vốn NSNN năm 2024", amount=3_326_600_000
    )
    services.disbursement_record(
        line=nstw, paid_on=datetime.date(2024, 6, 1), amount=297_500_000, document="x"
    )
    client.force_login(officer)
    text = client.get(reverse("budget_overview")).content.decode()
    assert "2.975,0" in text and "74,3" in text and "3.049,3" in text
    assert "10,00 %" in text  # 297,5 of 2.975
    assert "Số liệu không khớp" in text and "277,3" in text


def test_a_disbursement_over_the_allocation_is_refused_on_the_form(client, officer, line):
    client.force_login(officer)
    url = reverse("disbursement_create", args=[line.pk])
    assert client.post(url, payment()).status_code == 302
    response = client.post(url, payment(amount="40.000.001"))
    assert "Vượt kinh phí được giao" in response.content.decode()
    assert Disbursement.objects.count() == 1


def test_a_negative_amount_is_refused_on_the_form(client, officer, line):
    client.force_login(officer)
    response = client.post(reverse("disbursement_create", args=[line.pk]), payment(amount="-5"))
    assert "không được âm" in response.content.decode()
    response = client.post(
        reverse("budget_line_edit", args=[line.pk]),
        {"source": line.source_id, "kind": line.kind, "allocated": "-1", "version": "1"},
    )
    assert "không được âm" in response.content.decode()
    line.refresh_from_db()
    assert line.allocated == 100_000_000 and not Disbursement.objects.exists()


def test_a_stale_form_gets_a_conflict_message(client, officer, line):
    client.force_login(officer)
    url = reverse("budget_line_edit", args=[line.pk])
    data = {"source": line.source_id, "kind": line.kind, "allocated": "120.000.000", "version": "1"}
    assert client.post(url, data).status_code == 302
    response = client.post(url, data | {"allocated": "90.000.000"})
    assert "vừa được người khác sửa" in response.content.decode()
    line.refresh_from_db()
    assert (line.allocated, line.version) == (120_000_000, 2)


def test_the_line_page_shows_its_history(client, officer, line):
    client.force_login(officer)
    client.post(
        reverse("budget_line_edit", args=[line.pk]),
        {"source": line.source_id, "kind": line.kind, "allocated": "150.000.000", "version": "1"},
    )
    text = client.get(reverse("budget_line_detail", args=[line.pk])).content.decode()
    assert "150,0" in text and "100,0" in text and officer.username in text


@pytest.mark.parametrize("persona", ["viewer", "board_a"])
def test_readers_see_the_budget_but_cannot_change_it(client, persona, request, line, commune):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("budget_overview")).status_code == 200
    assert client.get(reverse("budget_line_detail", args=[line.pk])).status_code == 200
    posts = [
        (reverse("disbursement_create", args=[line.pk]), payment()),
        (reverse("budget_line_edit", args=[line.pk]), {"allocated": "1", "version": "1"}),
        (f"{reverse('budget_line_create')}?commune={commune.pk}&year=2024", {"allocated": "1"}),
        (f"{reverse('stated_total_create')}?commune={commune.pk}&year=2024", {"amount": "1"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code in (403, 404), url
    line.refresh_from_db()
    assert line.allocated == 100_000_000
    assert not Disbursement.objects.exists() and not StatedTotal.objects.exists()
    assert BudgetLine.objects.count() == 1


def test_an_officer_of_another_commune_sees_nothing(client, other_officer, line, commune):
    client.force_login(other_officer)
    assert client.get(reverse("budget_line_detail", args=[line.pk])).status_code == 404
    assert client.get(f"{reverse('budget_overview')}?commune={commune.pk}").status_code == 404
    assert client.post(reverse("disbursement_create", args=[line.pk]), payment()).status_code == 404


def test_the_budget_page_runs_a_bounded_number_of_queries(
    client, officer, commune, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            line = BudgetLineFactory(commune=commune, subproject=SubProjectFactory())
            services.disbursement_record(
                line=line, paid_on=datetime.date(2024, 5, 1), amount=1_000, document="x"
            )

    client.force_login(officer)
    grow(2)
    with django_assert_max_num_queries(20) as ctx:
        assert client.get(reverse("budget_overview")).status_code == 200
    grow(15)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        assert client.get(reverse("budget_overview")).status_code == 200
