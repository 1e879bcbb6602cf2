"""Every form shows its errors once, in a summary at its top whose links lead to the fields
(issue 15, phone): a scan of the templates and a few forms posted with errors."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from budget.tests.factories import BudgetLineFactory
from households.tests.test_views import household_form_data, make_home

TEMPLATES = Path(settings.BASE_DIR) / "templates"
PARTIALS = re.compile(r"_partials/form_(errors|fields)\.html")
# A form's fields or errors written out in a template.
RENDERS_A_FORM = re.compile(r"\.errors|\{\{ ?field ?\}\}|field\.label|\{% for field in")
# Not pages of the app's forms: Django admin's own page, a PDF body, the filter of a list (GET).
EXEMPT = {
    "admin/import_export/export.html",
    "review/documents/survey_form.html",
    "households/household_list.html",
}


def test_every_template_that_renders_a_form_includes_the_error_summary():
    missing = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        text = path.read_text()
        if "_partials/" in name or name in EXEMPT:  # a part, included by a page with the summary
            continue
        if RENDERS_A_FORM.search(text) and not PARTIALS.search(text):
            missing.append(name)
    assert missing == []
    assert "form_errors.html" in (TEMPLATES / "_partials/form_fields.html").read_text()


def test_the_scan_finds_what_it_looks_for():
    assert RENDERS_A_FORM.search("{% for e in form.code.errors %}")
    assert RENDERS_A_FORM.search("<label>{{ field.label }}</label>{{ field }}")
    assert not PARTIALS.search('{% include "_partials/language_switch.html" %}')


def summary(html) -> str:
    html = html.decode() if isinstance(html, bytes) else html
    match = re.search(r'<div class="alert alert-danger error-summary".*?</div>', html, re.S)
    assert match, "no error summary"
    return match.group(0)


@pytest.mark.django_db
def test_the_household_form_summarises_field_and_member_errors(client, officer, village_a):
    client.force_login(officer)
    data = household_form_data(village_a, head="", floor="-3")
    data["members-0-full_name"] = ""
    html = client.post(reverse("household_create"), data).content.decode()
    box = summary(html)
    assert box.index('href="#id_head_name"') < box.index('href="#id_floor_area_m2"')
    assert 'href="#id_members-0-full_name"' in box
    assert "dòng 1" in box
    assert html.index("error-summary") < html.index('id="id_village"')  # at the top


@pytest.mark.django_db
def test_a_form_drawn_by_the_shared_fields_partial_summarises_its_errors(client, officer, commune):
    line = BudgetLineFactory(commune=commune, allocated=100_000_000)
    client.force_login(officer)
    url = reverse("disbursement_create", args=[line.pk])
    box = summary(client.post(url, {"paid_on": "", "amount": "5", "document": "GRDT 01"}).content)
    assert 'href="#id_paid_on"' in box
    box = summary(client.post(url, {"paid_on": "2024-06-30", "amount": "-5"}).content)
    assert 'href="#id_document"' in box


@pytest.mark.django_db
def test_a_form_without_errors_has_no_summary(client, officer, village_a):
    home = make_home(village_a, "Nguyễn Văn Đức")
    client.force_login(officer)
    for url in (reverse("household_edit", args=[home.pk]), reverse("household_create")):
        assert "error-summary" not in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_login_form_summarises_a_wrong_password(client):
    html = client.post(reverse("login"), {"username": "nobody", "password": "x"}).content.decode()
    assert "error-summary" in html
