import datetime
import re

import pytest
from django.urls import reverse

from households.tests.factories import HouseholdFactory
from projects import services
from projects.models import Activity, Assignment, Beneficiary
from projects.tests.factories import (
    ActivityFactory,
    AssignmentFactory,
    SubProjectFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(commune, village_a, village_b):
    assignment = AssignmentFactory(commune=commune)
    home_a = HouseholdFactory(village=village_a, head_name="Chủ Hộ Thôn A")
    home_b = HouseholdFactory(village=village_b, head_name="Bí Mật Thôn B")
    for home in (home_a, home_b):
        services.beneficiary_record(
            assignment=assignment, household=home, support_kind="cash", description="Hỗ trợ"
        )
    return {
        "assignment": assignment,
        "home_a": home_a,
        "home_b": home_b,
        "activity_a": ActivityFactory(assignment=assignment, area=village_a, title="Việc thôn A"),
        "activity_b": ActivityFactory(assignment=assignment, area=village_b, title="Việc thôn B"),
    }


def beneficiary_payload(household, **extra):
    return {
        "household_code": household.code,
        "support_kind": "in_kind",
        "description": "Giống lúa",
        "value": "1200000",
        **extra,
    }


def test_the_officer_sees_the_communes_assignments_and_all_beneficiaries(client, officer, world):
    client.force_login(officer)
    page = client.get(reverse("projects_overview")).content.decode()
    assert world["assignment"].subproject.name in page
    detail = client.get(reverse("assignment_detail", args=[world["assignment"].pk])).content
    assert "Chủ Hộ Thôn A" in detail.decode() and "Bí Mật Thôn B" in detail.decode()


def test_board_of_village_a_sees_only_its_villages_beneficiaries(client, board_a, world):
    client.force_login(board_a)
    detail = client.get(reverse("assignment_detail", args=[world["assignment"].pk]))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "Chủ Hộ Thôn A" in text and "Bí Mật Thôn B" not in text
    listing = client.get(reverse("beneficiary_list")).content.decode()
    assert "Chủ Hộ Thôn A" in listing and "Bí Mật Thôn B" not in listing


def test_board_of_village_a_records_a_beneficiary_of_its_village(client, board_a, world):
    client.force_login(board_a)
    url = reverse("beneficiary_create", args=[world["assignment"].pk])
    response = client.post(url, beneficiary_payload(world["home_a"]))
    assert response.status_code == 302
    assert Beneficiary.objects.filter(household=world["home_a"]).count() == 2


def test_board_of_village_a_is_refused_a_household_of_village_b(client, board_a, world):
    client.force_login(board_a)
    url = reverse("beneficiary_create", args=[world["assignment"].pk])
    response = client.post(url, beneficiary_payload(world["home_b"]))
    assert response.status_code == 200
    # Word for word what a code that does not exist gets: nothing tells that it exists.
    missing = client.post(url, {**beneficiary_payload(world["home_b"]), "household_code": "X-0"})
    code = world["home_b"].code
    assert f"Không có hộ mã “{code}”" in response.content.decode()

    def page(response):  # without the CSRF tokens, which change from response to response
        return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())

    assert page(response).replace(code, "X-0") == page(missing)
    assert Beneficiary.objects.count() == 2


def test_a_household_of_another_commune_is_refused_on_the_form(
    client, officer, world, other_village
):
    stranger = HouseholdFactory(village=other_village)
    client.force_login(officer)
    url = reverse("beneficiary_create", args=[world["assignment"].pk])
    response = client.post(url, beneficiary_payload(stranger))
    assert "Không có hộ mã" in response.content.decode()
    assert Beneficiary.objects.count() == 2


def test_a_negative_value_is_refused_on_the_form(client, officer, world):
    client.force_login(officer)
    url = reverse("beneficiary_create", args=[world["assignment"].pk])
    response = client.post(url, beneficiary_payload(world["home_a"], value="-5"))
    assert "không được âm" in response.content.decode()
    assert Beneficiary.objects.count() == 2


def test_board_records_progress_in_its_village_but_not_in_village_b(client, board_a, world):
    client.force_login(board_a)
    payload = {"status": "in_progress", "progress": "30", "result": "Đã họp", "version": "1"}
    ok = client.post(reverse("activity_progress", args=[world["activity_a"].pk]), payload)
    assert ok.status_code == 302
    refused = client.post(reverse("activity_progress", args=[world["activity_b"].pk]), payload)
    assert refused.status_code == 404
    world["activity_b"].refresh_from_db()
    assert world["activity_b"].progress == 0
    # a board never plans: refused before the activity is fetched
    assert client.get(reverse("activity_edit", args=[world["activity_a"].pk])).status_code == 403


def test_a_progress_form_opened_before_another_save_gets_the_conflict(
    client, board_a, officer, world
):
    """Two people with the same progress form open: the second save is refused with a message
    saying what is stored now, and the first one's figures stay."""
    url = reverse("activity_progress", args=[world["activity_a"].pk])
    client.force_login(board_a)
    form = client.get(url).content.decode()
    assert 'name="version" value="1"' in form
    first = {"status": "in_progress", "progress": "30", "result": "Đã họp", "version": "1"}
    assert client.post(url, first).status_code == 302
    client.force_login(officer)
    second = client.post(url, first | {"progress": "60"})
    assert second.status_code == 200
    assert "vừa được người khác sửa" in second.content.decode()
    assert "30 %" in second.content.decode()
    world["activity_a"].refresh_from_db()
    assert (world["activity_a"].progress, world["activity_a"].version) == (30, 2)


def test_the_officer_adds_an_activity_and_a_bad_period_is_refused(client, officer, world):
    client.force_login(officer)
    url = reverse("activity_create", args=[world["assignment"].pk])
    payload = {
        "title": "Tập huấn kỹ thuật",
        "area": world["assignment"].commune.pk,
        "planned_start": "2024-06-01",
        "planned_end": "2024-05-01",
        "status": "planned",
        "progress": "0",
    }
    response = client.post(url, payload)
    assert "Ngày kết thúc không được trước ngày bắt đầu" in response.content.decode()
    assert not Activity.objects.filter(title="Tập huấn kỹ thuật").exists()
    response = client.post(url, payload | {"planned_end": "2024-07-01"})
    assert response.status_code == 302
    assert Activity.objects.filter(title="Tập huấn kỹ thuật").exists()


def test_the_officer_assigns_a_subproject_through_the_form(client, officer, commune):
    lead, helper = UnitFactory(commune=commune), UnitFactory(commune=commune)
    subproject = SubProjectFactory()
    client.force_login(officer)
    response = client.post(
        f"{reverse('assignment_create')}?commune={commune.pk}&year=2024",
        {
            "subproject": subproject.pk,
            "lead_unit": lead.pk,
            "coordinating_units": [helper.pk],
            "tasks": "- Rà soát",
        },
    )
    assert response.status_code == 302
    a = Assignment.objects.get()
    assert (a.year, a.lead_unit, list(a.coordinating_units.all())) == (2024, lead, [helper])


@pytest.mark.parametrize("persona", ["viewer", "board_a"])
def test_readers_cannot_plan_when_they_post(client, persona, request, world, commune):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assignment = world["assignment"]
    assert client.get(reverse("assignment_detail", args=[assignment.pk])).status_code == 200
    before = (Assignment.objects.count(), Activity.objects.count())
    posts = [
        (f"{reverse('assignment_create')}?commune={commune.pk}&year=2024", {}),
        (reverse("assignment_edit", args=[assignment.pk]), {"tasks": "x"}),
        (reverse("activity_create", args=[assignment.pk]), {"title": "x"}),
        (reverse("activity_edit", args=[world["activity_a"].pk]), {"title": "x"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code in (403, 404), url
    assert (Assignment.objects.count(), Activity.objects.count()) == before


def test_a_viewer_cannot_record_a_beneficiary(client, viewer, world):
    client.force_login(viewer)
    url = reverse("beneficiary_create", args=[world["assignment"].pk])
    assert client.post(url, beneficiary_payload(world["home_a"])).status_code == 403
    assert Beneficiary.objects.count() == 2


def test_an_officer_of_another_commune_sees_nothing_of_this_commune(
    client, other_officer, world, commune
):
    client.force_login(other_officer)
    a = world["assignment"]
    assert client.get(reverse("assignment_detail", args=[a.pk])).status_code == 404
    assert client.get(f"{reverse('projects_overview')}?commune={commune.pk}").status_code == 404
    assert client.get(f"{reverse('beneficiary_list')}?commune={commune.pk}").status_code == 404
    own = client.get(reverse("beneficiary_list")).content.decode()
    assert "Chủ Hộ Thôn A" not in own
    response = client.post(
        reverse("beneficiary_create", args=[a.pk]), beneficiary_payload(world["home_a"])
    )
    assert response.status_code == 404
    assert Beneficiary.objects.count() == 2


def test_the_coverage_page_lists_only_households_the_user_may_see(
    client, board_a, commune, village_a, village_b
):
    from households import services as hs
    from households.tests.factories import MemberFactory, ReviewCycleFactory

    cycle = ReviewCycleFactory(commune=commune, year=2023)
    homes = [
        HouseholdFactory(village=village_a, head_name="Thiếu Hụt Thôn A"),
        HouseholdFactory(village=village_b, head_name="Thiếu Hụt Thôn B"),
    ]
    for h in homes:
        MemberFactory(household=h)
    hs.assessments_record(
        cycle=cycle,
        entries=[hs.AssessmentEntry(h, 1_000_000, None, ["1.1", "2.2", "4.1"]) for h in homes],
    )
    AssignmentFactory(commune=commune, subproject=SubProjectFactory(indicator_codes=["1.1"]))
    client.force_login(board_a)
    text = client.get(f"{reverse('project_coverage')}?year=2024").content.decode()
    assert 'data-code="1.1">2<' in text  # the commune's count
    assert "Thiếu Hụt Thôn A" in text and "Thiếu Hụt Thôn B" not in text


def test_list_pages_run_a_bounded_number_of_queries(
    client, officer, commune, village_a, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            a = AssignmentFactory(commune=commune, lead_unit=UnitFactory(commune=commune))
            ActivityFactory(assignment=a)
            for _ in range(3):
                services.beneficiary_record(
                    assignment=a,
                    household=HouseholdFactory(village=village_a),
                    support_kind="cash",
                    description="Hỗ trợ",
                    value=1_000,
                    supported_on=datetime.date(2024, 3, 1),
                )
        return a

    client.force_login(officer)
    urls = [reverse("projects_overview"), reverse("beneficiary_list"), reverse("project_units")]
    grow(2)
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(20) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx.captured_queries)
    last = grow(10)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            client.get(url)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("assignment_detail", args=[last.pk])).status_code == 200
