"""Every destructive action asks first (issue 15, item 6): a form that deletes, removes, cancels,
withdraws, reopens or switches off something carries ``data-confirm`` (static/js/app.js asks
the question before it is sent). Read from the templates themselves, so a new delete button
without a question fails here."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
#: what a destructive action's address or button says
DESTRUCTIVE_URL = re.compile(r"delete|remove|cancel|withdraw|reopen|disable|drop|discard", re.I)
DESTRUCTIVE_WORD = re.compile(r"\b(Xóa|Xoá|Hủy|Huỷ|Rút|Mở lại|Tắt|Bỏ)\b", re.I)
FORM = re.compile(r"<form\b(?P<tag>[^>]*)>(?P<body>.*?)</form>", re.S | re.I)
BUTTON = re.compile(r"<button\b(?P<tag>[^>]*)>(?P<text>.*?)</button>", re.S | re.I)
URL_NAME = re.compile(r"""\{%\s*url\s+['"]([\w:]+)['"]""")


def templates() -> list[Path]:
    found = sorted((ROOT / "templates").rglob("*.html"))
    found += sorted(p for p in ROOT.glob("*/templates/**/*.html") if ".venv" not in p.parts)
    return [p for p in found if "admin" not in p.relative_to(ROOT).parts[:2]]


def _text(html: str) -> str:
    """A button's words: its ``{% translate "…" %}`` strings kept, other tags dropped."""
    html = re.sub(r"""\{%\s*(?:translate|trans)\s+(['"])(.*?)\1[^%]*%\}""", r" \2 ", html)
    return re.sub(r"\{%[^%]*%\}|<[^>]+>", " ", html)


def unconfirmed(source: str) -> list[str]:
    """The destructive POST forms (and ``formaction`` buttons) of ``source`` without a question."""
    found = []
    for form in FORM.finditer(source):
        tag, body = form.group("tag"), form.group("body")
        if not re.search(r"method\s*=\s*['\"]?post", tag, re.I):
            continue
        asks = "data-confirm" in tag
        addresses = URL_NAME.findall(tag)
        buttons = [(b.group("tag"), _text(b.group("text"))) for b in BUTTON.finditer(body)]
        destructive = any(DESTRUCTIVE_URL.search(a) for a in addresses) or any(
            DESTRUCTIVE_WORD.search(text)
            for button_tag, text in buttons
            if "formaction" not in button_tag and 'type="button"' not in button_tag
        )
        if destructive and not asks:
            found.append(form.group(0)[:160])
        for button_tag, _words in buttons:
            target = URL_NAME.findall(button_tag) if "formaction" in button_tag else []
            if any(DESTRUCTIVE_URL.search(a) for a in target) and not (
                asks or "data-confirm" in button_tag
            ):
                found.append(button_tag[:160])
    return found


def test_the_check_finds_a_delete_button_without_a_question():
    bare = """<form method="post" action="{% url 'beneficiary_delete' b.pk %}">{% csrf_token %}
      <button>{% translate "Xóa" %}</button></form>"""
    worded = """<form method="post" action=".">{% csrf_token %}
      <button type="submit">{% translate "Hủy" %}</button></form>"""
    assert len(unconfirmed(bare)) == 1 and len(unconfirmed(worded)) == 1
    assert unconfirmed(bare.replace("<form ", '<form data-confirm="Xóa?" ')) == []
    # a link "Hủy" back to the page, or a search form, is not a destructive action
    assert unconfirmed('<form method="post"><button>Lưu</button><a href="/">Hủy</a></form>') == []
    assert unconfirmed('<form method="get"><button>Bỏ lọc</button></form>') == []


def test_every_destructive_form_in_the_templates_asks_first():
    pages = templates()
    assert len(pages) > 60  # the app's and the apps' templates were found
    missing = {
        str(p.relative_to(ROOT)): found
        for p in pages
        if (found := unconfirmed(p.read_text(encoding="utf-8")))
    }
    assert missing == {}


def test_the_known_destructive_actions_are_among_those_checked():
    sources = "\n".join(p.read_text(encoding="utf-8") for p in templates())
    asking = [f.group(0) for f in FORM.finditer(sources) if "data-confirm" in f.group("tag")]
    for name in (
        "disbursement_delete",  # cancel a disbursement
        "beneficiary_delete",
        "cycle_exemption_remove",
        "cycle_reopen",
        "adhoc_withdraw",
        "imports:cancel",
        "two_factor_disable",
    ):
        assert any(f"'{name}'" in form for form in asking), name
    # removing a member: the household form asks, naming them, before it is saved (members.js)
    form = (ROOT / "templates/households/household_form.html").read_text(encoding="utf-8")
    assert "data-remove-question=" in form
    script = (ROOT / "static/js/members.js").read_text(encoding="utf-8")
    assert "window.confirm(question" in script
