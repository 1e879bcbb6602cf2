import datetime

import pytest
from django.core.exceptions import ValidationError

from budget import services
from budget.models import BudgetLine, Disbursement, StatedTotal
from budget.tests.factories import BudgetLineFactory, source
from core.formatting import format_million_dong
from projects.tests.factories import SubProjectFactory

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2024, 6, 30)


def pay(line, amount, user=None, **extra):
    return services.disbursement_record(
        line=line, paid_on=JUNE, amount=amount, document="Giấy rút dự toán 01", user=user, **extra
    )


@pytest.fixture
def seed_budget(commune):
    """Section IV of the seed: NSTW 2.975 and NSĐP 74,3 against a stated 3.326,6 triệu đồng."""
    nstw, nsdp = source("NSTW"), source("NSDP")
    lines = [
        services.budget_line_create(
            commune=commune, year=2024, source=nstw, kind="unsplit", allocated=2_975_000_000
        ),
        services.budget_line_create(
            commune=commune, year=2024, source=nsdp, kind="unsplit", allocated=74_300_000
        ),
    ]
    services.stated_total_create(
        commune=commune,
        year=2024,
        label="Vốn NSNN năm 2024",
        amount=3_326_600_000,
        sources=[nstw, nsdp],
    )
    return lines


def test_the_seeds_budget_discrepancy_is_flagged(seed_budget, commune):
    [check] = StatedTotal.objects.within(commune).checked()
    assert not check.agrees
    assert (check.parts, check.difference) == (3_049_300_000, 277_300_000)
    message = check.message()
    assert "3.326,6" in message and "3.049,3" in message and "277,3" in message


def test_a_stated_total_that_its_parts_make_is_not_flagged(seed_budget, commune):
    services.stated_total_create(
        commune=commune, year=2024, label="NSTW", amount=2_975_000_000, sources=[source("NSTW")]
    )
    checks = {c.stated.label: c for c in StatedTotal.objects.all().checked()}
    assert checks["NSTW"].agrees and checks["NSTW"].line_count == 1
    assert "khớp" in checks["NSTW"].message()


def test_a_stated_total_counts_only_its_own_commune_and_year(seed_budget, commune, other_commune):
    BudgetLineFactory(commune=other_commune, source=source("NSTW"), allocated=277_300_000)
    BudgetLineFactory(commune=commune, year=2023, source=source("NSTW"), allocated=277_300_000)
    [check] = StatedTotal.objects.within(commune).checked()
    assert check.parts == 3_049_300_000


def test_totals_and_execution_rates_per_line_subproject_and_source(commune):
    jobs, food = SubProjectFactory(), SubProjectFactory()
    a = BudgetLineFactory(commune=commune, subproject=jobs, allocated=300_000_000)
    b = BudgetLineFactory(
        commune=commune, subproject=jobs, source=source("NSDP"), allocated=100_000_000
    )
    c = BudgetLineFactory(commune=commune, subproject=food, allocated=200_000_000)
    pay(a, 150_000_000)
    pay(a, 75_000_000)
    pay(b, 10_000_000)
    lines = BudgetLine.objects.within(commune)
    by_line = {e.key: e for e in lines.execution("line")}
    assert (by_line[a.pk].disbursed, str(by_line[a.pk].rate)) == (225_000_000, "75.00")
    assert by_line[c.pk].rate == 0 and by_line[c.pk].remaining == 200_000_000
    by_sp = {e.key: e for e in lines.execution("subproject")}
    assert (by_sp[jobs.pk].allocated, by_sp[jobs.pk].disbursed) == (400_000_000, 235_000_000)
    assert str(by_sp[jobs.pk].rate) == "58.75"
    by_source = {e.key: e for e in lines.execution("source")}
    assert str(by_source[source("NSTW").pk].rate) == "45.00"  # 225 of 500
    assert str(by_source[source("NSDP").pk].rate) == "10.00"
    total = lines.totals()
    assert (total.allocated, total.disbursed, str(total.rate)) == (
        600_000_000,
        235_000_000,
        "39.17",
    )
    assert format_million_dong(total.allocated) == "600,0"


def test_a_disbursement_over_the_allocation_is_refused_and_nothing_is_saved(commune):
    line = BudgetLineFactory(commune=commune, allocated=100_000_000)
    pay(line, 60_000_000)
    with pytest.raises(ValidationError) as exc:
        pay(line, 40_000_001)
    assert "Vượt kinh phí được giao" in " ".join(exc.value.messages)
    assert Disbursement.objects.count() == 1
    pay(line, 40_000_000)  # exactly what is left is fine
    assert BudgetLine.objects.with_disbursed().get().disbursed == 100_000_000


@pytest.mark.parametrize("amount", [-5, 0])
def test_a_negative_or_zero_disbursement_is_refused(commune, amount):
    line = BudgetLineFactory(commune=commune)
    with pytest.raises(ValidationError, match="Số tiền"):
        pay(line, amount)
    assert not Disbursement.objects.exists()


def test_a_negative_allocation_is_refused(commune):
    with pytest.raises(ValidationError, match="không được âm"):
        services.budget_line_create(
            commune=commune, year=2024, source=source(), kind="recurrent", allocated=-1
        )
    assert not BudgetLine.objects.exists()


def test_a_second_general_line_for_the_same_source_and_kind_is_refused(commune):
    BudgetLineFactory(commune=commune, kind="unsplit")
    with pytest.raises(ValidationError, match="Đã có dòng kinh phí chung"):
        services.budget_line_create(
            commune=commune, year=2024, source=source(), kind="unsplit", allocated=1
        )


def test_an_allocation_cannot_drop_below_what_is_paid(commune):
    line = BudgetLineFactory(commune=commune, allocated=100_000_000)
    pay(line, 80_000_000)
    with pytest.raises(ValidationError, match="không thể nhỏ hơn số đã giải ngân"):
        services.budget_line_update(line=line, expected_version=1, allocated=50_000_000)
    line.refresh_from_db()
    assert (line.allocated, line.version) == (100_000_000, 1)


def test_a_concurrent_change_to_a_line_gets_a_conflict_message(commune, officer):
    line = BudgetLineFactory(commune=commune, allocated=100_000_000)
    services.budget_line_update(line=line, expected_version=1, allocated=120_000_000, user=officer)
    with pytest.raises(ValidationError, match="vừa được người khác sửa"):
        services.budget_line_update(line=line, expected_version=1, allocated=90_000_000)
    line.refresh_from_db()
    assert (line.allocated, line.version) == (120_000_000, 2)


def test_history_records_who_changed_a_line_and_its_payments(commune, officer):
    line = services.budget_line_create(
        commune=commune,
        year=2024,
        source=source(),
        kind="recurrent",
        allocated=100_000_000,
        user=officer,
    )
    services.budget_line_update(line=line, expected_version=1, allocated=150_000_000, user=officer)
    payment = pay(line, 10_000_000, officer)
    services.disbursement_delete(disbursement=payment, user=officer)
    history = list(line.history.order_by("history_date"))
    assert [h.allocated for h in history] == [100_000_000, 150_000_000]
    assert {h.history_user for h in history} == {officer}
    kinds = [h.history_type for h in Disbursement.history.order_by("history_date")]
    assert kinds == ["+", "-"]
    assert not Disbursement.objects.exists()


@pytest.mark.parametrize("persona", ["board_a", "viewer", "other_officer"])
def test_only_the_communes_officer_edits_the_budget_when_others_try(commune, persona, request):
    user = request.getfixturevalue(persona)
    line = BudgetLineFactory(commune=commune)
    with pytest.raises(ValidationError, match="quyền"):
        pay(line, 1_000, user)
    with pytest.raises(ValidationError, match="quyền"):
        services.budget_line_update(line=line, expected_version=1, allocated=1, user=user)
    assert not Disbursement.objects.exists()


def test_boards_and_viewers_read_the_communes_budget(commune, board_a, viewer, other_officer):
    line = BudgetLineFactory(commune=commune)
    assert list(BudgetLine.objects.visible_to(board_a)) == [line]
    assert list(BudgetLine.objects.visible_to(viewer)) == [line]
    assert not BudgetLine.objects.visible_to(other_officer).exists()
    assert not BudgetLine.objects.editable_by(board_a).exists()


def test_a_subproject_outside_its_programme_years_is_refused(commune):
    with pytest.raises(ValidationError, match="2030"):
        services.budget_line_create(
            commune=commune,
            year=2030,
            source=source(),
            kind="recurrent",
            allocated=1,
            subproject=SubProjectFactory(),
        )
