"""Headers (issue 11, item 8): a Content-Security-Policy without inline scripts, a
Permissions-Policy, and templates that need no inline script or handler to work."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db
TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Rendered by WeasyPrint into a PDF, never served to a browser.
# Rendered only into PDFs by WeasyPrint on the server, never served to a browser: the report
# page around a PDF and the review's document bodies (a report's ``body_template``).
SERVER_SIDE_ONLY = {"reports/pdf.html"}
SERVER_SIDE_FOLDERS = ("review/documents/", "plan/documents/")


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


def test_pages_carry_a_content_security_policy_without_inline_scripts(client, officer):
    client.force_login(officer)
    for path in ("/login/", "/", "/households/"):
        policy = directives(client.get(path)["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], path
        assert policy["style-src"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-eval'" not in str(policy)


def test_pages_carry_a_permissions_policy_that_denies_device_features(client):
    header = client.get("/login/")["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in header


def templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name not in SERVER_SIDE_ONLY and not name.startswith(SERVER_SIDE_FOLDERS):
            yield name, path.read_text()


def test_no_template_has_an_inline_event_handler():
    found = [
        (name, match.group(0))
        for name, text in templates()
        for match in re.finditer(r"\son[a-z]+\s*=", text, re.I)
    ]
    assert found == []


def test_no_template_has_an_inline_script_or_style():
    found = []
    for name, text in templates():
        found += [(name, m) for m in re.findall(r"<script\b[^>]*>", text, re.I) if "src=" not in m]
        found += [(name, m) for m in re.findall(r"<style\b[^>]*>", text, re.I)]
        found += [(name, m) for m in re.findall(r"\sstyle\s*=", text, re.I)]
        found += [(name, m) for m in re.findall(r"\shx-on[:-]|javascript:", text, re.I)]
    assert found == []


def test_the_checks_find_what_they_look_for():
    # The patterns above on what used to be in the templates, so that a passing test means
    # something.
    assert re.search(r"\son[a-z]+\s*=", '<select onchange="this.form.submit()">')
    assert re.findall(r"<script\b[^>]*>", "<script>alert(1)</script>") == ["<script>"]


def test_the_language_switch_submits_through_the_vendored_script(client):
    page = client.get("/login/").content.decode()
    assert re.search(r'<select name="language"[^>]*data-autosubmit', page)
    assert '<script src="/static/js/app.js" defer></script>' in page
