import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models.deletion import ProtectedError

from households import services as household_services
from households.tests.factories import HouseholdFactory, MemberFactory, ReviewCycleFactory
from projects import services
from projects.coverage import indicator_coverage, not_reached_households
from projects.models import Activity, Assignment, Beneficiary, SubProject
from projects.tests.factories import (
    ActivityFactory,
    AssignmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    SubProjectFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(commune):
    return AssignmentFactory(commune=commune, subproject=SubProjectFactory(indicator_codes=["1.1"]))


def record(assignment, household, user=None, **extra):
    values = {"support_kind": "in_kind", "description": "Giống cây", "value": 5_000_000}
    return services.beneficiary_record(
        assignment=assignment, household=household, user=user, **(values | extra)
    )


# --- programme structure --------------------------------------------------------------------


def test_a_duplicated_subproject_code_is_refused_when_in_the_same_programme():
    first = SubProjectFactory(code="DA3-TDA1")
    other_project = ProjectFactory(programme=first.project.programme)
    with pytest.raises(ValidationError) as exc:
        services.subproject_create(
            project=other_project, code="DA3-TDA1", name="Trùng mã", number=1
        )
    assert "đã được dùng" in " ".join(exc.value.messages)
    assert SubProject.objects.filter(code="DA3-TDA1").count() == 1


def test_the_same_subproject_code_is_allowed_when_in_another_programme():
    SubProjectFactory(code="DA3-TDA1")
    later = ProgrammeFactory(code="MTQG-2026-2035", start_year=2026, end_year=2035)
    created = services.subproject_create(
        project=ProjectFactory(programme=later), code="DA3-TDA1", name="Hợp phần", number=1
    )
    assert created.programme == later


def test_a_subproject_names_its_legal_bases_in_order_and_its_indicators():
    decree = services.legal_document_get_or_create(
        number="27/2022/NĐ-CP",
        kind="Nghị định",
        issuer="Chính phủ",
        issued_on=datetime.date(2022, 4, 19),
        subject="quy định cơ chế quản lý",
    )
    circular = services.legal_document_get_or_create(
        number="09/2022/TT-BLĐTBXH", kind="Thông tư", issuer="Bộ Lao động - Thương binh và Xã hội"
    )
    sp = services.subproject_create(
        project=ProjectFactory(),
        code="DA2",
        name="Đa dạng hóa sinh kế",
        indicator_codes=["1.1"],
        legal_bases=[(decree, "Điều 20"), (circular, "")],
    )
    assert [link.document for link in sp.basis_links.all()] == [decree, circular]
    assert set(sp.indicators.values_list("code", flat=True)) == {"1.1"}
    assert decree.citation() == (
        "Nghị định số 27/2022/NĐ-CP ngày 19/4/2022 của Chính phủ quy định cơ chế quản lý"
    )


def test_an_unknown_indicator_code_is_refused_and_nothing_is_saved():
    with pytest.raises(ValidationError, match="9.9"):
        services.subproject_create(
            project=ProjectFactory(), code="X1", name="Thử", indicator_codes=["9.9"]
        )
    assert not SubProject.objects.filter(code="X1").exists()


# --- assignments ----------------------------------------------------------------------------


def test_an_officer_assigns_a_subproject_with_lead_and_coordinating_units(commune, officer):
    lead, helper = UnitFactory(commune=commune), UnitFactory(commune=commune)
    a = services.assignment_create(
        commune=commune,
        year=2024,
        subproject=SubProjectFactory(),
        lead_unit=lead,
        coordinating_units=[helper],
        tasks="Nội dung:\n- Việc một\n- Việc hai",
        user=officer,
    )
    assert list(a.coordinating_units.all()) == [helper]
    assert a.task_list() == ["Nội dung:", "Việc một", "Việc hai"]


def test_a_coordinating_unit_of_another_commune_is_refused(commune, other_commune, officer):
    with pytest.raises(ValidationError, match="không thuộc"):
        services.assignment_create(
            commune=commune,
            year=2024,
            subproject=SubProjectFactory(),
            lead_unit=UnitFactory(commune=commune),
            coordinating_units=[UnitFactory(commune=other_commune)],
            user=officer,
        )
    assert not Assignment.objects.exists()


def test_an_assignment_outside_the_programme_years_is_refused(commune):
    with pytest.raises(ValidationError, match="2021"):
        services.assignment_create(
            commune=commune,
            year=2027,
            subproject=SubProjectFactory(),
            lead_unit=UnitFactory(commune=commune),
        )


@pytest.mark.parametrize("persona", ["board_a", "viewer", "other_officer"])
def test_only_the_communes_officer_may_assign_when_others_try(commune, persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(ValidationError, match="quyền"):
        services.assignment_create(
            commune=commune,
            year=2024,
            subproject=SubProjectFactory(),
            lead_unit=UnitFactory(commune=commune),
            user=user,
        )
    assert not Assignment.objects.exists()


def test_a_second_assignment_of_the_same_subproject_and_year_is_refused(assignment):
    with pytest.raises(ValidationError, match="đã được phân công"):
        services.assignment_create(
            commune=assignment.commune,
            year=2024,
            subproject=assignment.subproject,
            lead_unit=assignment.lead_unit,
        )


# --- activities -----------------------------------------------------------------------------


def test_an_activity_ending_before_it_starts_is_refused_and_nothing_is_saved(assignment):
    with pytest.raises(ValidationError) as exc:
        services.activity_create(
            assignment=assignment,
            title="Tập huấn",
            planned_start=datetime.date(2024, 6, 1),
            planned_end=datetime.date(2024, 5, 1),
        )
    assert "kết thúc không được trước ngày bắt đầu" in " ".join(exc.value.messages)
    assert not Activity.objects.exists()


def test_an_activity_in_a_village_of_another_commune_is_refused(assignment, other_village):
    with pytest.raises(ValidationError, match="Địa bàn"):
        services.activity_create(
            assignment=assignment,
            area=other_village,
            title="Tập huấn",
            planned_start=datetime.date(2024, 5, 1),
            planned_end=datetime.date(2024, 6, 1),
        )


def test_a_board_records_progress_in_its_village_only(assignment, village_a, village_b, board_a):
    mine = ActivityFactory(assignment=assignment, area=village_a)
    theirs = ActivityFactory(assignment=assignment, area=village_b)
    services.activity_progress_record(
        activity=mine,
        expected_version=1,
        status="in_progress",
        progress=40,
        result="Đã họp thôn",
        user=board_a,
    )
    mine.refresh_from_db()
    assert (mine.progress, mine.updated_by) == (40, board_a)
    with pytest.raises(ValidationError, match="địa bàn"):
        services.activity_progress_record(
            activity=theirs, expected_version=1, status="done", progress=100, user=board_a
        )
    theirs.refresh_from_db()
    assert theirs.progress == 0


def test_a_board_cannot_change_the_plan_of_an_activity(assignment, village_a, board_a):
    activity = ActivityFactory(assignment=assignment, area=village_a)
    with pytest.raises(ValidationError, match="quyền"):
        services.activity_update(
            activity=activity, expected_version=1, title="Đổi tên", user=board_a
        )
    assert Activity.objects.plannable_by(board_a).count() == 0


def test_a_done_activity_must_be_at_one_hundred_percent(assignment):
    activity = ActivityFactory(assignment=assignment)
    with pytest.raises(ValidationError, match="100"):
        services.activity_progress_record(
            activity=activity, expected_version=1, status="done", progress=80
        )


def test_a_second_progress_record_from_a_stale_form_is_a_conflict(
    assignment, village_a, board_a, officer
):
    activity = ActivityFactory(assignment=assignment, area=village_a)
    services.activity_progress_record(
        activity=activity, expected_version=1, status="in_progress", progress=40, user=board_a
    )
    with pytest.raises(ValidationError, match="vừa được người khác sửa.*40 %") as conflict:
        services.activity_progress_record(
            activity=activity, expected_version=1, status="in_progress", progress=10, user=officer
        )
    assert conflict.value.code == "conflict"
    activity.refresh_from_db()
    assert (activity.progress, activity.version, activity.updated_by) == (40, 2, board_a)
    with pytest.raises(ValidationError, match="vừa được người khác sửa"):
        services.activity_update(
            activity=activity, expected_version=1, title="Tên cũ", user=officer
        )
    services.activity_update(activity=activity, expected_version=2, title="Tên mới", user=officer)
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("Tên mới", 3)


def test_a_second_assignment_edit_from_a_stale_form_is_a_conflict(assignment, officer):
    services.assignment_update(
        assignment=assignment, expected_version=1, tasks="- Họp dân", user=officer
    )
    with pytest.raises(ValidationError, match="Phân công này vừa được người khác sửa"):
        services.assignment_update(
            assignment=assignment, expected_version=1, tasks="- Khác", user=officer
        )
    assignment.refresh_from_db()
    assert (assignment.tasks, assignment.version) == ("- Họp dân", 2)


# --- beneficiaries --------------------------------------------------------------------------


def test_an_officer_records_a_beneficiary_with_a_snapshot_of_its_village(
    assignment, village_a, officer
):
    household = HouseholdFactory(village=village_a)
    b = record(assignment, household, officer)
    assert (b.village, b.recorded_by, b.value) == (village_a, officer, 5_000_000)


def test_a_household_of_another_commune_is_refused_and_nothing_is_saved(
    assignment, other_village, officer
):
    stranger = HouseholdFactory(village=other_village)
    with pytest.raises(ValidationError) as exc:
        record(assignment, stranger, officer)
    assert "Không có hộ mã" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError, match="không thuộc"):
        record(assignment, stranger)  # without a user: the commune rule still holds
    assert not Beneficiary.objects.exists()


def test_a_board_cannot_record_a_household_of_another_village(
    assignment, village_a, village_b, board_a
):
    record(assignment, HouseholdFactory(village=village_a), board_a)
    with pytest.raises(ValidationError, match="Không có hộ mã"):
        record(assignment, HouseholdFactory(village=village_b), board_a)
    assert Beneficiary.objects.count() == 1


def test_a_viewer_cannot_record_a_beneficiary(assignment, village_a, viewer):
    with pytest.raises(ValidationError, match="Không có hộ mã"):
        record(assignment, HouseholdFactory(village=village_a), viewer)


def test_a_negative_support_value_is_refused(assignment, village_a):
    with pytest.raises(ValidationError, match="không được âm"):
        record(assignment, HouseholdFactory(village=village_a), value=-1)
    assert not Beneficiary.objects.exists()


def test_a_household_that_leaves_the_registry_keeps_its_beneficiary_history(
    assignment, village_a, village_b, officer, board_a
):
    household = HouseholdFactory(village=village_a)
    b = record(assignment, household, officer, supported_on=datetime.date(2024, 6, 1))
    household.left_registry_on = datetime.date(2024, 9, 1)
    household.village = village_b  # and its last known village changed
    household.save()
    assert list(Beneficiary.objects.visible_to(officer)) == [b]
    assert list(Beneficiary.objects.visible_to(board_a)) == [b]  # stays where it happened
    assert list(household.beneficiary_records.all()) == [b]
    with pytest.raises(ProtectedError):
        household.delete()
    # but no new support is recorded after the household left
    with pytest.raises(ValidationError, match="ra khỏi danh sách"):
        record(assignment, household, officer, supported_on=datetime.date(2024, 10, 1))


def test_support_dated_outside_the_assignment_year_is_refused(assignment, village_a):
    with pytest.raises(ValidationError, match="2024"):
        record(
            assignment, HouseholdFactory(village=village_a), supported_on=datetime.date(2023, 1, 5)
        )


# --- coverage of deprived households --------------------------------------------------------


def test_coverage_counts_deprived_households_not_yet_reached(commune, village_a, officer):
    cycle = ReviewCycleFactory(commune=commune, year=2023)
    homes = []
    for _ in range(3):
        h = HouseholdFactory(village=village_a)
        MemberFactory(household=h)
        homes.append(h)
    entries = [
        household_services.AssessmentEntry(h, 1_000_000, None, ["1.1", "2.2", "4.1"]) for h in homes
    ]
    household_services.assessments_record(cycle=cycle, entries=entries)
    jobs = AssignmentFactory(commune=commune, subproject=SubProjectFactory(indicator_codes=["1.1"]))
    record(jobs, homes[0], officer)
    rows = {r.code: r for r in indicator_coverage(commune, 2024)}
    assert (len(rows["1.1"].deprived), len(rows["1.1"].reached)) == (3, 1)
    assert rows["1.1"].subprojects == [jobs.subproject.code]
    assert not rows["4.1"].addressed and len(rows["4.1"].not_reached) == 3
    listed = not_reached_households(list(rows.values()), HouseholdFactory._meta.model.objects.all())
    assert [h.pk for h in listed["1.1"]] == sorted([homes[1].pk, homes[2].pk])
    # support given in another year does not count as reached in 2024
    earlier = AssignmentFactory(
        commune=commune, year=2023, subproject=jobs.subproject, lead_unit=jobs.lead_unit
    )
    record(earlier, homes[1], officer)
    assert len({r.code: r for r in indicator_coverage(commune, 2024)}["1.1"].reached) == 1


def test_coverage_without_the_baseline_review_is_a_clear_error(commune):
    with pytest.raises(ValidationError, match="2023"):
        indicator_coverage(commune, 2024)
