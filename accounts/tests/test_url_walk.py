"""Walk every URL pattern as a user of another village, a user of another commune and a read-only
viewer: no foreign data in any response, and no POST changes a row (design.md: access control,
enforced once)."""

import itertools
import re

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.urls import URLPattern, URLResolver, get_resolver

from households import services
from households.tests.factories import ReviewCycleFactory

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
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        # django-axes records every login and failed login (the walk logs in again after /logout/).
        if m is not Session and m._meta.app_label != "axes"
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


def check_user(client, user, ids, secrets, payload):
    client.force_login(user)
    routes = list(walk(get_resolver().url_patterns))
    assert len(routes) > 10
    for route, _pattern in routes:
        for path in urls_for(route, ids):
            before = row_counts()
            for method in ("get", "post"):
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
    secrets = ["Bí Mật Xã Khác", "002080000003"]
    check_user(client, viewer, ids, secrets, forged_payload(village_a, commune))
