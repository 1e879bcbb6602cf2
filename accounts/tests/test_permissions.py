"""The permission API (``areas.scoping.can``) per role × action × area, and the rule that every
view declares its action (``accounts.access.requires`` / ``public``)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.access import requires
from accounts.tests.factories import UserFactory
from areas.scoping import ANYWHERE, PUBLIC, ROLES, SELF, SYSTEM, can, can_or_system

# --- every view declares its action ---------------------------------------------------------

#: The admin site checks its own permissions (staff, model permissions, two-factor); static and
#: media files are served by WhiteNoise and the web server, not by URL patterns.
OUT_OF_SCOPE_NAMESPACES = {"admin"}


def views(patterns, prefix=""):
    """(route, name, callback) of every URL pattern, through includes."""
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace in OUT_OF_SCOPE_NAMESPACES:
                continue
            namespace = f"{p.namespace}:" if p.namespace else ""
            for route, name, callback in views(p.url_patterns, prefix + str(p.pattern)):
                yield route, (namespace + name if name else name), callback
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.name, p.callback


def declared_action(callback) -> str | None:
    """The action a view declares: on the function (decorators copy it outward), or on the class
    of a class-based view."""
    action = getattr(callback, "permission_action", None)
    if action is None and hasattr(callback, "view_class"):
        action = getattr(callback.view_class, "permission_action", None)
    return action


def test_every_view_declares_its_action():
    found = list(views(get_resolver().url_patterns))
    assert len(found) > 30
    missing = [f"{name or '?'} (/{route})" for route, name, cb in found if not declared_action(cb)]
    assert not missing, "views without requires(action) or public: " + ", ".join(missing)


def test_every_declared_action_is_in_the_table():
    known = set(ROLES) | {SELF, PUBLIC}
    for route, name, callback in views(get_resolver().url_patterns):
        action = declared_action(callback)
        assert action is None or action in known, (name, route, action)


def test_only_the_login_pages_and_the_health_check_are_public():
    found = views(get_resolver().url_patterns)
    public = {name for _route, name, cb in found if declared_action(cb) == PUBLIC}
    # /healthz shows no data: which of database, cache and broker answer (jobs/health.py)
    assert public == {"login", "set_language", "healthz"}


def test_a_misspelt_action_fails_at_import_not_at_request():
    with pytest.raises(ValueError):
        requires("edit-registry")
    with pytest.raises(KeyError):
        can(None, "edit-registry")


def test_a_view_refuses_a_user_without_its_role_anywhere(client, viewer):
    client.force_login(viewer)
    assert client.get("/budget/lines/new/").status_code == 403
    assert client.get("/projects/units/new/").status_code == 403
    assert client.get("/households/new/").status_code == 403
    assert client.get("/budget/").status_code == 200


def test_a_user_without_any_membership_sees_only_the_home_page_and_the_account_pages(client, db):
    nobody = UserFactory(username="nobody")
    client.force_login(nobody)
    assert client.get("/").status_code == 200
    assert client.get("/account/two-factor/").status_code == 200
    assert client.get("/households/").status_code == 403
    assert client.get("/reports/").status_code == 403


# --- can(): role × action × area ------------------------------------------------------------

ACTIONS = sorted(ROLES)


@pytest.fixture
def people(commune, village_a, village_b, district, other_commune):
    return {
        "officer": UserFactory(username="as_officer", membership=(commune, "officer")),
        "board": UserFactory(username="as_board_a", membership=(village_a, "board")),
        "viewer": UserFactory(username="as_viewer", membership=(district, "viewer")),
        "finance": UserFactory(username="as_finance", membership=(commune, "finance")),
        "admin": UserFactory(username="as_admin", membership=(other_commune, "admin")),
    }


def test_a_role_may_act_where_its_membership_covers_the_area(
    people, commune, village_a, village_b, district, other_commune
):
    """Every role × action × area: a village, a commune, a district, and a commune elsewhere."""
    home = {"officer": commune, "board": village_a, "viewer": district, "finance": commune}
    places = (village_a, village_b, commune, district, other_commune)
    for role, user in people.items():
        for action in ACTIONS:
            allowed = role in ROLES[action]
            assert can(user, action) is allowed, (role, action)  # anywhere
            for area in places:
                # an admin membership counts everywhere; any other only at or below its area
                covered = role == "admin" or area.path.startswith(home[role].path)
                assert can(user, action, area) is (allowed and covered), (role, action, area)


def test_a_board_counts_in_its_village_only(people, commune, village_a, village_b, district):
    board = people["board"]
    assert can(board, "edit_registry", village_a)
    assert not any(can(board, "edit_registry", a) for a in (village_b, commune, district))


def test_inside_counts_a_membership_below_the_area(people, commune, other_commune):
    board = people["board"]
    for action in ACTIONS:
        allowed = "board" in ROLES[action]
        assert not can(board, action, commune)
        assert can(board, action, commune, inside=True) is allowed, action
        assert not can(board, action, other_commune, inside=True)


def test_a_superuser_may_do_everything_everywhere(administrator, other_commune):
    for action in ACTIONS:
        assert can(administrator, action) and can(administrator, action, other_commune)


def test_nobody_may_act_without_a_user_an_area_or_an_active_account(officer, commune):
    assert not can(None, "view") and not can(None, "view", commune)
    assert not can(officer, "plan", None)  # no area chosen is not "anywhere"
    assert can(officer, "plan", ANYWHERE)
    officer.is_active = False
    assert not can(officer, "view", commune)


def test_self_is_any_signed_in_user_and_public_anyone(db):
    from django.contrib.auth.models import AnonymousUser

    nobody = UserFactory(username="nobody")
    assert can(nobody, SELF) and not can(AnonymousUser(), SELF)
    assert can(AnonymousUser(), PUBLIC)
    assert not can(nobody, "view")


def test_only_services_take_the_system_actor(commune, viewer):
    assert SYSTEM is None
    assert can_or_system(SYSTEM, "budget", commune)
    assert not can(SYSTEM, "budget", commune)
    assert not can_or_system(viewer, "budget", commune)


def test_can_asks_no_query_once_the_memberships_are_read(
    officer, commune, village_a, django_assert_num_queries
):
    officer.scope_memberships()
    with django_assert_num_queries(0):
        for action in ACTIONS:
            can(officer, action, village_a)
            can(officer, action)


def test_the_row_half_uses_the_same_table(people, commune):
    from budget.models import BudgetLine
    from households.models import Household, ReviewCycle
    from projects.models import Activity, Assignment

    assert Household.objects.none().edit_action == "edit_registry"
    assert ReviewCycle.objects.none().edit_action == "review"
    assert Assignment.objects.none().edit_action == "plan"
    assert Activity.objects.none().edit_action == "record"
    assert BudgetLine.objects.none().edit_action == "budget"
    # finance edits the budget of its commune, not its households
    from areas.models import Area

    assert Area.objects.where_can(people["finance"], "budget").filter(pk=commune.pk).exists()
    assert not Area.objects.where_can(people["finance"], "edit_registry").exists()


# --- finance: the aggregate reports, never a list of households ------------------------------


def test_finance_opens_every_aggregate_report_and_no_per_household_list(client, village_a):
    """Finance reads plans and aggregate reports (design.md); the reports that list households
    or persons stay with those who may see them (docs/security.md, issue 7)."""
    from django.urls import reverse

    from households.tests.report_data import populate
    from reports.registry import SPECS

    commune = village_a.parent
    populate(village_a, 6, poor=2, near=1, year=2023)
    finance = UserFactory(username="finance", membership=(commune, "finance"))
    client.force_login(finance)
    opened, refused = [], []
    for slug, spec in SPECS.items():
        if not spec.per_commune:
            continue  # "communes" compares the communes of a district
        for fmt in ("html", "pdf", "xlsx"):
            response = client.get(
                reverse("report", args=[slug]), {"area": commune.pk, "year": 2023, "format": fmt}
            )
            text = response.content.decode(errors="ignore")
            if spec.personal:
                assert response.status_code == 403, (slug, fmt)
                assert "liệt kê từng hộ" in text
                refused.append(slug)
                continue
            # served, or "no data that year" (projects, budget without any): never refused
            assert response.status_code in (200, 400, 404), (slug, fmt, response.status_code)
            assert "không có quyền" not in text.lower(), (slug, fmt)
            if response.status_code == 200:
                opened.append((slug, fmt))
    for slug in ("baseline", "mpi", "reconciliation"):
        assert (slug, "html") in opened, slug
    assert ("baseline", "pdf") in opened and ("baseline", "xlsx") in opened
    assert "lists" in refused
    # the report list offers finance the aggregate reports only
    index = client.get(reverse("report_index")).content.decode()
    assert reverse("report", args=["baseline"]) in index
    assert reverse("report", args=["lists"]) not in index
    # and its pages around the reports are read-only
    page = reverse("report_reconcile") + f"?area={commune.pk}&year=2023"
    assert client.get(page).status_code == 200
    assert client.post(page, {"action": "save", "reference": "X"}).status_code == 403
