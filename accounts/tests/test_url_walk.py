"""Walk every URL pattern as a user of another village, a user of another commune and a read-only
viewer: no foreign data in any response, and no POST changes a row (design.md: access control,
enforced once). Then every registered report × format × area as each role (a village board, an
officer of another commune, a district viewer, the commune's finance, its officer): no foreign
household, name or citizen ID in any file, and no list of persons outside the user's reach."""

import itertools
import re

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.urls import URLPattern, URLResolver, get_resolver

from households import services
from households.tests.factories import ReviewCycleFactory
from reports.tests.text import document_text

pytestmark = pytest.mark.django_db

SKIP_NAMESPACES = {"admin"}  # the admin is for staff only and has its own permission checks


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace in SKIP_NAMESPACES:
                continue
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def urls_for(route, ids):
    """Concrete paths for a route, with every combination of the candidate ids."""
    params = re.findall(r"<(?:(\w+):)?(\w+)>", route)
    int_params = [name for conv, name in params if conv in ("int", "")]
    choices = [ids if (conv in ("int", "")) else ["baseline"] for conv, name in params]
    for combo in itertools.product(*choices):
        path = route
        for (conv, name), value in zip(params, combo, strict=True):
            token = f"<{conv}:{name}>" if conv else f"<{name}>"
            path = path.replace(token, str(value))
        if int_params or not params:
            yield "/" + path.lstrip("^").rstrip("$")
        else:
            yield "/" + path


def row_counts():
    # Sessions change on login; the access log grows on every read of personal data by design.
    skipped = {Session, apps.get_model("audit", "AccessLog")}
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        # django-axes records every login and failed login (the walk logs in again after /logout/).
        if m not in skipped and m._meta.app_label != "axes"
    }


def make_home(village, head, citizen_id):
    home = services.household_create(
        village=village, code=head[:6], head_name=head, floor_area_m2=30
    )
    services.member_add(
        household=home, full_name=head, sex="M", relation_to_head="head", citizen_id=citizen_id
    )
    return home


def forged_payload(village, commune):
    return {
        "income_per_capita": "900000",
        "b1_score": "",
        "version": "0",
        "ind_6_1": "on",
        "village": village.pk,
        "code": "FORGED",
        "head_name": "Giả Mạo",
        "member_count": "1",
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-0-full_name": "Giả",
        "members-0-sex": "M",
        "members-0-relation_to_head": "head",
        "commune": commune.pk,
        "year": "2025",
        "kind": "periodic",
        "reference_date": "2025-12-14",
        "area": village.pk,
        "households": "10",
    }


@pytest.fixture
def world(commune, village_a, village_b, other_commune, other_village):
    own = make_home(village_a, "Chủ Hộ Thôn A", "002080000001")
    b = make_home(village_b, "Bí Mật Thôn B", "002080000002")
    far = make_home(other_village, "Bí Mật Xã Khác", "002080000003")
    cycle = ReviewCycleFactory(commune=commune, year=2024)
    far_cycle = ReviewCycleFactory(commune=other_commune, year=2024)
    for home, c in ((own, cycle), (b, cycle), (far, far_cycle)):
        services.assessment_record(
            cycle=c, household=home, income_per_capita=800_000, deprived=["6.1", "6.2", "3.1"]
        )
    return {"own": own, "b": b, "far": far, "cycle": cycle, "far_cycle": far_cycle}


def check_user(client, user, ids, secrets, payload) -> int:
    """Walk every route with ``ids`` as GET and as a forged POST; returns the requests made."""
    client.force_login(user)
    routes = list(walk(get_resolver().url_patterns))
    assert len(routes) > 10
    requests = 0
    for route, _pattern in routes:
        for path in urls_for(route, ids):
            before = row_counts()
            for method in ("get", "post"):
                requests += 1
                response = getattr(client, method)(path, payload if method == "post" else None)
                assert response.status_code < 500, (method, path, response.status_code)
                body = (
                    b"".join(response.streaming_content) if response.streaming else response.content
                )
                text = body.decode("utf-8", "replace")
                for secret in secrets:
                    assert secret not in text, (user.username, method, path, secret)
                if response.status_code in (200, 302) and path.startswith("/logout"):
                    client.force_login(user)
            assert row_counts() == before, (user.username, path)
    # The figure docs/security.md quotes (run with -s to see it).
    print(f"\nurl walk: {user.username}: {len(routes)} routes, {requests} requests")
    return requests


def test_a_board_of_another_village_sees_and_changes_nothing(
    client, world, board_a, village_b, commune
):
    ids = sorted({world["b"].pk, world["far"].pk, world["far_cycle"].pk, world["cycle"].pk})
    secrets = ["Bí Mật Thôn B", "Bí Mật Xã Khác", "002080000002", "002080000003"]
    check_user(client, board_a, ids, secrets, forged_payload(village_b, commune))


def test_an_officer_of_another_commune_sees_and_changes_nothing(
    client, world, other_officer, village_a, commune
):
    ids = sorted({world["own"].pk, world["b"].pk, world["cycle"].pk, world["far_cycle"].pk})
    secrets = ["Chủ Hộ Thôn A", "Bí Mật Thôn B", "002080000001", "002080000002"]
    check_user(client, other_officer, ids, secrets, forged_payload(village_a, commune))


def test_a_viewer_changes_nothing_even_in_its_own_area(client, world, viewer, village_a, commune):
    ids = sorted({world["own"].pk, world["cycle"].pk})
    # Its own area's citizen IDs too: a viewer sees them masked (0020******01), never in full.
    secrets = ["Bí Mật Xã Khác", "002080000003", "002080000001", "002080000002"]
    check_user(client, viewer, ids, secrets, forged_payload(village_a, commune))


# --- every report × format × area, for every role -------------------------------------------

REPORT_FORMATS = ("html", "pdf", "xlsx", "csv", "json")
#: per place: household code, head, member (each with an ASCII token that PDF text extraction
#: cannot mangle) and the member's citizen ID
PEOPLE = {
    "a": ("VA-101", "Chủ Hộ QXA", "Con Nhỏ QYA", "002080000101"),
    "b": ("VB-202", "Bí Mật QXB", "Con Nhỏ QYB", "002080000202"),
    "far": ("XK-303", "Bí Mật QXF", "Con Nhỏ QYF", "002080000303"),
}


def secrets_of(*places):
    return [value for place in places for value in PEOPLE[place]]


@pytest.fixture
def report_world(commune, village_a, village_b, other_commune, other_village, district):
    cycle = ReviewCycleFactory(commune=commune, year=2024)
    far_cycle = ReviewCycleFactory(commune=other_commune, year=2024)
    for place, village, c in (
        ("a", village_a, cycle),
        ("b", village_b, cycle),
        ("far", other_village, far_cycle),
    ):
        code, head, member, citizen_id = PEOPLE[place]
        home = services.household_create(
            village=village, code=code, head_name=head, floor_area_m2=30
        )
        services.member_add(household=home, full_name=head, sex="M", relation_to_head="head")
        services.member_add(
            household=home,
            full_name=member,
            sex="F",
            relation_to_head="child",
            citizen_id=citizen_id,
        )
        services.assessment_record(
            cycle=c, household=home, income_per_capita=800_000, deprived=["6.1", "6.2", "3.1"]
        )
    return {
        "areas": [village_a, village_b, commune, other_commune, district],
        "commune": commune,
    }


@pytest.fixture
def render_once(monkeypatch):
    """Each report's file is rendered once per report, area, year and format, and reused for
    the next user allowed to fetch it: the builders take no user, so the file is the same, and
    PDF rendering is what makes the walk slow. Every scoping decision still runs per request."""
    from reports import views

    rendered = {}
    real = views.render_report

    def cached(report, fmt):
        key = (report.slug, report.area.pk, report.year, fmt)
        if key not in rendered:
            rendered[key] = real(report, fmt)
        return rendered[key]

    monkeypatch.setattr(views, "render_report", cached)
    return rendered


_TEXTS: dict[bytes, str] = {}


def report_text(response) -> str:
    """The text of a report response in any format: PDF through pypdf, XLSX through openpyxl."""
    body = response.content
    if body not in _TEXTS:
        _TEXTS[body] = document_text(body)
    return _TEXTS[body]


def walk_reports(client, user, areas, secrets) -> dict:
    """Every registered report in every format for every area: no secret in any response, no
    personal report where the user may not see persons. Returns {(slug, area, fmt): status}."""
    from django.urls import reverse
    from django.utils.http import urlencode

    from areas.scoping import persons_visible_in
    from reports.registry import SPECS

    client.force_login(user)
    statuses = {}
    for slug, spec in SPECS.items():
        for area in areas:
            for fmt in REPORT_FORMATS:
                query = urlencode({"area": area.pk, "year": 2024, "format": fmt})
                response = client.get(reverse("report", args=[slug]) + "?" + query)
                status = response.status_code
                statuses[(slug, area.name, fmt)] = status
                assert status < 500, (user.username, slug, area.name, fmt, status)
                if spec.personal and not persons_visible_in(user, area):
                    assert status in (400, 403), (user.username, slug, area.name, fmt)
                text = report_text(response) if status == 200 else response.content.decode()
                for secret in secrets:
                    assert secret not in text, (user.username, slug, area.name, fmt, secret)
        for page in ("report_index", "report_area"):
            for area in areas:
                response = client.get(reverse(page), {"area": area.pk, "year": 2024})
                assert response.status_code < 500
                text = response.content.decode()
                assert not any(s in text for s in secrets), (user.username, page, area.name)
    return statuses


def test_every_report_in_every_format_and_area_shows_no_foreign_person(
    client, report_world, render_once, board_a, other_officer, viewer, officer
):
    from accounts.tests.factories import UserFactory

    finance = UserFactory(username="finance", membership=(report_world["commune"], "finance"))
    areas = report_world["areas"]
    commune = report_world["commune"].name
    # No report shows a citizen ID or a member's name to anyone; each role's foreign households
    # (and, for finance and a board outside its village, every household) stay out of them.
    ids_and_members = [PEOPLE[p][i] for p in PEOPLE for i in (2, 3)]
    cases = [
        (board_a, secrets_of("b", "far")),
        (other_officer, secrets_of("a", "b")),
        (viewer, secrets_of("far") + ids_and_members),
        (finance, secrets_of("a", "b", "far")),
        (officer, secrets_of("far") + ids_and_members),
    ]
    seen = {}
    for user, secrets in cases:
        seen[user.username] = walk_reports(client, user, areas, secrets)
    # Every report × format × area for each role (the figure docs/security.md quotes).
    from reports.registry import SPECS

    assert all(len(s) == len(SPECS) * len(REPORT_FORMATS) * len(areas) for s in seen.values())
    refused = sum(1 for s in seen.values() for status in s.values() if status in (400, 403))
    print(
        f"\nreport walk: {len(cases)} roles × {len(SPECS)} reports × {len(REPORT_FORMATS)} "
        f"formats × {len(areas)} areas = {sum(len(s) for s in seen.values())}, refused {refused}"
    )
    # The board keeps the commune's aggregate figures and its own village's list.
    assert seen["board_a"][("baseline", commune, "html")] == 200
    assert seen["board_a"][("baseline", commune, "pdf")] == 200
    assert seen["board_a"][("lists", "Thôn A", "csv")] == 200
    assert seen["board_a"][("lists", commune, "csv")] == 403
    assert seen["finance"][("baseline", commune, "xlsx")] == 200
    # The walk's text extraction does find names where they belong (no vacuous pass).
    client.force_login(officer)
    from django.urls import reverse

    for fmt in ("pdf", "xlsx"):
        url = reverse("report", args=["lists"]) + f"?area={report_world['commune'].pk}&year=2024"
        text = report_text(client.get(f"{url}&format={fmt}"))
        assert "VB-202" in text and "QXB" in text, fmt
