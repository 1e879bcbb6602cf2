"""The English catalogue is complete: every user-facing string has a translation."""

import re
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.urls import reverse

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_entry_of_the_english_catalogue_is_translated():
    entries = PO.read_text(encoding="utf-8").split("\n\n")[1:]  # the first block is the header
    assert len(entries) > 500
    untranslated = [e for e in entries if re.search(r'\nmsgstr(\[0\])? ""\s*$', e)]
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert untranslated == [] and fuzzy == []


def test_pages_switch_to_english(db, officer):
    client = Client()
    client.force_login(officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("household_list")).content.decode()
    assert "Households" in html and "Hộ gia đình" not in html
