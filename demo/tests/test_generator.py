"""The synthetic-area generator: sizes, labels, determinism and the classification rule."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum

from areas.models import Area
from demo.generator import (
    _codes,
    _tasks,
    _upper_areas,
    generate_area,
    plan_layout,
    split,
    write_commune,
)
from households.models import Assessment, Deprivation, Household, Member, ReviewCycle
from households.reports.baseline import baseline
from indicators.models import PovertyStandard

pytestmark = pytest.mark.django_db


def fingerprint(province: Area) -> list[tuple]:
    """Everything generated below ``province`` except the codes that carry the province code."""
    rows = []
    households = (
        Household.objects.within(province)
        .order_by("code")
        .prefetch_related("members", "assessments__deprivations__indicator")
    )
    for h in households:
        assessment = h.assessments.get()
        rows.append(
            (
                h.code[2:],
                h.village.name,
                h.head_name,
                h.ethnicity,
                str(h.floor_area_m2),
                h.house_material,
                h.water_source,
                h.latrine,
                assessment.income_per_capita,
                assessment.household_class,
                tuple(sorted(d.indicator.code for d in assessment.deprivations.all())),
                tuple(
                    (m.full_name, m.sex, m.date_of_birth, m.citizen_id[3:], m.has_health_insurance)
                    for m in h.members.all()
                ),
            )
        )
    return rows


def test_split_keeps_the_total_and_the_spread():
    import random

    sizes = split(200_000, 160, random.Random(1))
    assert sum(sizes) == 200_000 and len(sizes) == 160
    assert min(sizes) >= 1000 and max(sizes) <= 1500
    assert split(3, 10, random.Random(1)) == [1, 1, 1]


def test_a_province_of_200000_households_is_laid_out_in_communes_and_villages():
    layout = plan_layout(200_000, seed=1)
    assert sum(c.households for c in layout) == 200_000
    assert all(1000 <= c.households <= 1500 for c in layout)
    villages = [v for c in layout for v in c.village_sizes]
    assert all(90 <= v <= 170 for v in villages)
    assert len({c.district_index for c in layout}) == round(len(layout) / 12)


def test_a_small_province_has_the_requested_counts_when_generated():
    result = generate_area(households=2000, province_code="97", seed=3)
    province = result.area
    assert province.kind == Area.Kind.PROVINCE and province.name == "Tỉnh Tổng hợp 97"
    below = Area.objects.filter(path__startswith=province.path)
    assert below.filter(kind=Area.Kind.DISTRICT).count() == result.districts == 1
    communes = below.filter(kind=Area.Kind.COMMUNE)
    assert communes.count() == result.communes == 2
    assert all("Tổng hợp" in c.name and c.code.startswith("97") for c in communes)
    assert below.filter(kind=Area.Kind.VILLAGE).count() == result.villages == 16
    households = Household.objects.within(province)
    assert households.count() == result.households == 2000
    assert not households.filter(is_sample=False).exists()
    members = Member.objects.within(province).count()
    assert members == result.members and 3.6 <= members / 2000 <= 4.4
    cycles = ReviewCycle.objects.filter(commune__in=communes, year=2023, kind="periodic")
    assert cycles.count() == 2
    assert all(c.is_finalised for c in cycles)
    assessments = Assessment.objects.periodic_of_year(2023).within(province)
    assert assessments.count() == 2000
    assert assessments.aggregate(m=Sum("member_count"))["m"] == members


def test_the_class_mix_is_realistic_and_follows_the_rule_when_generated():
    province = generate_area(households=1300, province_code="97", seed=4).area
    assessments = Assessment.objects.periodic_of_year(2023).within(province)
    shares = {
        row["household_class"]: row["n"] / 1300
        for row in assessments.values("household_class").annotate(n=Count("id")).order_by()
    }
    assert 0.04 <= shares["poor"] <= 0.11
    assert 0.015 <= shares["near_poor"] <= 0.05
    standard = PovertyStandard.objects.for_year(2023)
    poor, near = assessments.poor(), assessments.near_poor()
    assert not poor.filter(deprivation_count__lt=standard.deprivation_cutoff).exists()
    assert not near.filter(deprivation_count__gte=standard.deprivation_cutoff).exists()
    for group in (poor, near):
        assert not group.filter(
            is_urban=False, income_per_capita__gt=standard.rural_poverty_line
        ).exists()
        assert not group.filter(
            is_urban=True, income_per_capita__gt=standard.urban_poverty_line
        ).exists()
    # The stored count agrees with the deprivation rows the reports read.
    counted = dict(
        Deprivation.objects.filter(assessment__in=assessments)
        .values_list("assessment_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert all(a.deprivation_count == counted.get(a.pk, 0) for a in assessments)
    # A poor household lacking health insurance (2.2) has a member aged 6+ without a card.
    deprived_22 = poor.filter(deprivations__indicator__code="2.2").values("household_id")
    assert deprived_22.exists()
    assert (
        Household.objects.filter(pk__in=deprived_22)
        .exclude(members__has_health_insurance=False)
        .count()
        == 0
    )
    report = baseline(province, 2023)
    summary = {r["key"]: r for r in report.tables[0].rows}
    assert summary["poor"]["households"] == poor.count()
    assert summary["all"]["households"] == 1300


def test_the_same_seed_gives_the_same_households_when_generated_twice():
    first = generate_area(households=300, province_code="97", seed=5).area
    second = generate_area(households=300, province_code="98", seed=5).area
    other = generate_area(households=300, province_code="96", seed=6).area
    assert fingerprint(first) == fingerprint(second)
    assert fingerprint(first) != fingerprint(other)


def test_generation_is_refused_when_the_province_code_exists():
    generate_area(households=50, province_code="97", seed=1)
    before = Household.objects.count()
    with pytest.raises(ValidationError, match="Mã 97 đã được dùng"):
        generate_area(households=50, province_code="97", seed=2)
    assert Household.objects.count() == before


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"households": 0}, "Số hộ phải lớn hơn 0"),
        ({"households": 10, "province_code": "9"}, "2 chữ số"),
        ({"households": 10, "year": 1990}, "Không có chuẩn nghèo"),
    ],
)
def test_bad_parameters_are_refused_with_a_message_when_generating(options, message):
    with pytest.raises(ValidationError, match=message):
        generate_area(**options)
    assert not Area.objects.filter(name__contains="Tổng hợp").exists()


def test_a_district_is_generated_inside_a_synthetic_province_when_asked():
    result = generate_area(households=300, province_code="97", level="district")
    district = result.area
    assert district.kind == Area.Kind.DISTRICT and district.name == "Huyện Tổng hợp 9701"
    assert district.parent.name == "Tỉnh Tổng hợp 97"
    assert Household.objects.within(district).count() == 300


def test_communes_sit_under_the_province_when_generated_without_districts():
    province = generate_area(households=300, province_code="97", with_districts=False).area
    assert not Area.objects.filter(kind=Area.Kind.DISTRICT, path__startswith=province.path)
    assert Area.objects.get(kind=Area.Kind.COMMUNE, code="97001").parent == province


def test_the_command_prints_a_summary_and_refuses_a_taken_code():
    out = io.StringIO()
    call_command("generate_area", "--households", "120", "--province-code", "97", stdout=out)
    assert "Đã tạo Tỉnh Tổng hợp 97 (mã 97)" in out.getvalue()
    assert "120 hộ" in out.getvalue()
    with pytest.raises(CommandError, match="đã được dùng"):
        call_command(
            "generate_area", "--households", "120", "--province-code", "97", stdout=io.StringIO()
        )


def test_resume_writes_only_the_missing_communes_when_the_province_exists():
    # As a parallel run that stopped after creating the province: the commune is missing.
    Area.objects.create(kind=Area.Kind.PROVINCE, code="97", name="Tỉnh Tổng hợp 97")
    messages = []
    result = generate_area(households=150, province_code="97", resume=True, log=messages.append)
    assert result.communes == 1 and Household.objects.within(result.area).count() == 150
    again = generate_area(households=150, province_code="97", resume=True, log=messages.append)
    assert again.communes == 0 and "Đã có 1 xã" in messages[-1]
    assert Household.objects.within(result.area).count() == 150


def test_resume_is_refused_when_the_province_is_not_synthetic():
    Area.objects.create(kind=Area.Kind.PROVINCE, code="97", name="Tỉnh Thật")
    with pytest.raises(ValidationError, match="không phải địa bàn tổng hợp"):
        generate_area(households=150, province_code="97", resume=True)


def test_communes_written_in_another_order_hold_the_same_households():
    # What makes ``--workers`` safe: each commune has its own random stream and ID serials, so the
    # order in which the worker processes write communes changes nothing.
    single = generate_area(households=2000, province_code="97", seed=8).area
    layout = plan_layout(2000, seed=8)
    codes = _codes("98", layout)
    province, districts = _upper_areas(codes, layout, resume=False)
    rule = PovertyStandard.objects.for_year(2023).rule()
    tasks = _tasks(layout, codes, province, districts, rule, 8, 2023, False)
    for task in reversed(tasks):
        write_commune(task)
    assert fingerprint(province) == fingerprint(single)
