"""Each report's figures against hand-computed expectations on small factory data."""

import datetime
from decimal import Decimal

import pytest

from households.reports.communes import communes
from households.reports.lists import lists
from households.reports.movement import movement, movement_of
from households.reports.mpi import mpi
from households.reports.progress import progress
from households.tests.report_data import cycle_of, finalise, households, populate, record
from indicators import services as target_services
from reports.errors import ReportError

pytestmark = pytest.mark.django_db


def rows_by_key(table):
    return {r["key"]: r for r in table.rows}


# --- lists ----------------------------------------------------------------------------------


def test_lists_show_the_poor_and_near_poor_of_each_village_with_their_scores(village_a, village_b):
    a = households(village_a, 4, members=3)
    b = households(village_b, 2)
    cycle = cycle_of(village_a.parent, 2023)
    record(
        cycle,
        {
            a[0]: (900_000, ["1.1", "2.2", "4.1", "6.1"]),
            a[1]: "near",
            a[2]: "out",
            a[3]: "poor",
            b[0]: "poor",
            b[1]: "out",
        },
    )
    report = lists(village_a.parent, 2023)
    poor, near = report.table("poor"), report.table("near_poor")
    summary = {r["unit"]: r for r in report.table("summary").rows}
    assert (summary["Thôn A"]["poor"], summary["Thôn A"]["near_poor"]) == (2, 1)
    assert summary["Tổng cộng"]["poor"] == 3
    assert [(r["village"], r["number"], r["code"]) for r in poor.rows] == [
        ("Thôn A", 1, a[0].code),
        ("Thôn A", 2, a[3].code),
        ("Thôn B", 1, b[0].code),
    ]
    first = poor.rows[0]
    assert first["members"] == 3 and first["b2"] == 40 and first["b1"] is None
    assert first["deprived"] == "1.1, 2.2, 4.1, 6.1"
    assert [r["code"] for r in near.rows] == [a[1].code] and near.rows[0]["b2"] == 10
    assert [label for label, _rows in poor.groups()] == ["Thôn A", "Thôn B"]


def test_lists_of_a_year_without_a_review_is_a_clear_error(village_a):
    populate(village_a, 2, poor=1)
    with pytest.raises(ReportError, match="2020"):
        lists(village_a.parent, 2020)


# --- movement -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "before, now, earlier, expected",
    [
        ("poor", "poor", False, ["start_poor", "end_poor"]),
        ("poor", "near_poor", False, ["start_poor", "poor_to_near", "end_near"]),
        ("poor", "average", False, ["start_poor", "escaped_poverty"]),
        ("poor", None, False, ["start_poor", "poor_left"]),
        ("near_poor", "poor", False, ["start_near", "near_to_poor", "end_poor"]),
        ("near_poor", "not_poor", False, ["start_near", "escaped_near"]),
        ("not_poor", "poor", False, ["end_poor", "newly_poor"]),
        (None, "poor", False, ["end_poor", "newly_poor"]),
        ("not_poor", "poor", True, ["end_poor", "fallen_back"]),
        ("average", "near_poor", True, ["end_near", "newly_near"]),
    ],
)
def test_movement_rules_when_classes_change(before, now, earlier, expected):
    assert movement_of({0: before, 1: now}, earlier) == expected


def test_movement_counts_each_path_and_balances_when_three_reviews_exist(village_a, village_b):
    hs = households(village_a, 8)
    other = households(village_b, 2)
    commune = village_a.parent
    # 2022: hs[6] poor (so it can fall back later); 2023 and 2024 as below.
    record(cycle_of(commune, 2022), {hs[6]: "poor"})
    record(
        cycle_of(commune, 2023),
        {
            hs[0]: "poor",  # stays poor
            hs[1]: "poor",  # escapes
            hs[2]: "poor",  # becomes near-poor
            hs[3]: "near",  # becomes poor
            hs[4]: "near",  # escapes near-poverty
            hs[5]: "out",  # newly poor
            hs[6]: "out",  # fallen back
            hs[7]: "poor",  # not reassessed in 2024
            other[0]: "out",
            other[1]: "out",
        },
    )
    record(
        cycle_of(commune, 2024),
        {
            hs[0]: "poor",
            hs[1]: "out",
            hs[2]: "near",
            hs[3]: "poor",
            hs[4]: "out",
            hs[5]: "poor",
            hs[6]: "poor",
            other[0]: "near",  # newly near-poor, in village B
            other[1]: "out",
        },
    )
    report = movement(commune, 2024)
    total = rows_by_key(report.tables[0])["total"]
    assert total["start_poor"] == 4 and total["end_poor"] == 4
    assert total["escaped_poverty"] == 1 and total["poor_to_near"] == 1
    assert total["near_to_poor"] == 1 and total["newly_poor"] == 1 and total["fallen_back"] == 1
    assert total["poor_left"] == 1
    assert total["start_near"] == 2 and total["escaped_near"] == 1 and total["newly_near"] == 1
    assert total["end_near"] == 2
    # end = start − out + in, for both lists
    assert total["end_poor"] == (
        total["start_poor"]
        - total["escaped_poverty"]
        - total["poor_to_near"]
        - total["poor_left"]
        + total["near_to_poor"]
        + total["newly_poor"]
        + total["fallen_back"]
    )
    by_village = {r["unit"]: r for r in report.tables[0].rows}
    assert by_village["Thôn B"]["newly_near"] == 1 and by_village["Thôn B"]["end_poor"] == 0
    assert by_village["Thôn A"]["fallen_back"] == 1
    # comparing with an explicit earlier year works too
    since_2022 = rows_by_key(movement(commune, 2024, since="2022").tables[0])["total"]
    assert since_2022["start_poor"] == 1


def test_movement_without_a_previous_review_is_a_clear_error(village_a):
    populate(village_a, 2, poor=1, year=2023)
    with pytest.raises(ReportError, match="trước năm 2023"):
        movement(village_a.parent, 2023)
    with pytest.raises(ReportError, match="không hợp lệ"):
        movement(village_a.parent, 2023, since="abc")


# --- mpi ------------------------------------------------------------------------------------


def test_mpi_computes_h_a_and_m0_by_village_and_ethnicity(village_a, village_b):
    a = households(village_a, 4, ethnicity="Tày")
    b = households(village_b, 6, ethnicity="Dao")
    record(
        cycle_of(village_a.parent, 2023),
        {
            a[0]: (900_000, ["2.2", "4.1", "5.2"]),  # 3 of 12
            a[1]: (900_000, ["1.1", "2.2", "4.1", "5.2", "6.1", "6.2"]),  # 6 of 12
            a[2]: "near",
            a[3]: "out",
            b[0]: (900_000, ["2.2", "4.1", "5.2"]),
            **{h: "out" for h in b[1:]},
        },
    )
    report = mpi(village_a.parent, 2023)
    by_unit = {r["unit"]: r for r in report.table("by_unit").rows}
    # Thôn A: H = 2/4 = 50 %, A = (3+6)/(2·12) = 37.5 %, M0 = 0.1875
    assert by_unit["Thôn A"]["h"] == Decimal("50.00")
    assert by_unit["Thôn A"]["a"] == Decimal("37.50")
    assert by_unit["Thôn A"]["m0"] == Decimal("0.1875")
    # Whole commune: H = 3/10, A = 12/36, M0 = 12/120 = 0.1
    total = rows_by_key(report.table("by_unit"))["total"]
    assert (total["h"], total["a"], total["m0"]) == (
        Decimal("30.00"),
        Decimal("33.33"),
        Decimal("0.1"),
    )
    dao = rows_by_key(report.table("by_ethnicity"))["Dao"]
    assert dao["poor"] == 1 and dao["h"] == Decimal("16.67")
    indicators = rows_by_key(report.table("indicators"))
    # 4.1: 3 poor deprived of 10 households; contribution 3 of the 12 deprivations = 25 %
    assert indicators["4.1"]["censored"] == Decimal("30.00")
    assert indicators["4.1"]["contribution"] == Decimal("25.00")
    assert indicators["6.2"]["censored"] == Decimal("10.00")
    dims = rows_by_key(report.table("dimensions_by_unit"))["total"]
    contributions = [v for k, v in dims.items() if k.startswith("dim_")]
    assert abs(sum(contributions) - 100) <= Decimal("0.05")


# --- progress -------------------------------------------------------------------------------


def test_progress_compares_the_latest_results_with_the_targets(village_a, village_b):
    commune = village_a.parent
    a = households(village_a, 10)
    b = households(village_b, 10)
    record(
        cycle_of(commune, 2023),
        {**{h: "poor" for h in a[:4]}, a[4]: "near", **{h: "poor" for h in b[:2]}},
    )
    finalise(cycle_of(commune, 2023))  # the start of 2024 is the finalised review's figures
    # An ad-hoc review in June 2024 takes two households of village A out of poverty; the
    # periodic review of 2024 has not happened yet.
    june = cycle_of(commune, 2024, kind="ad_hoc", day=datetime.date(2024, 6, 14))
    record(june, {a[0]: "out", a[1]: "near"})
    for area, metric, value in (
        (commune, "poor_reduction", 3),
        (commune, "near_poor_reduction", 1),
        (village_a, "poor_reduction", 2),
        (village_b, "poor_reduction", 1),
        (commune, "jobs", 130),
        (commune, "health_insurance", 100),
    ):
        target_services.target_set(area=area, year=2024, metric=metric, value=value, source="KH")
    report = progress(commune, 2024)
    rows = {r["unit"]: r for r in report.table("appendix").rows}
    assert rows["Thôn A"]["poor_start"] == 4 and rows["Thôn A"]["poor_now"] == 2
    assert rows["Thôn A"]["poor_done"] == 2 and rows["Thôn A"]["poor_achieved"] == Decimal("100.00")
    assert rows["Thôn A"]["near_now"] == 2  # a[4] still near-poor, a[1] became near-poor
    total = rows_by_key(report.table("appendix"))["total"]
    assert total["poor_start"] == 6 and total["poor_now"] == 4 and total["poor_done"] == 2
    assert total["poor_achieved"] == Decimal("66.67")
    assert total["rate_start"] == Decimal("35.00")  # 7 of 20
    assert total["rate_now"] == Decimal("30.00")  # 6 of 20
    assert total["rate_target"] == Decimal("15.00")  # (7 − 3 − 1) of 20
    services = rows_by_key(report.table("services"))
    # every poor/near-poor household now is deprived in 2.2 (the factory's deprivations)
    assert services["health_insurance"]["value"] == Decimal("0.00")
    assert "2.2" in services["health_insurance"]["how"]
    assert services["jobs"]["value"] is None and "Chưa có" in services["jobs"]["how"]
    jobs = target_services.target_set(
        area=commune, year=2024, metric="jobs", value=130, source="KH"
    )
    target_services.progress_record(
        target=jobs, as_of=datetime.date(2024, 9, 30), value=65, source="Báo cáo LĐ"
    )
    services = rows_by_key(progress(commune, 2024).table("services"))
    assert services["jobs"]["value"] == Decimal("65.00")
    assert services["jobs"]["achieved"] == Decimal("50.00")
    assert "30/09/2024" in services["jobs"]["how"] and "Báo cáo LĐ" in services["jobs"]["how"]


def test_progress_without_any_review_is_a_clear_error(village_a):
    with pytest.raises(ReportError, match="Chưa có kết quả"):
        progress(village_a.parent, 2024)


# --- communes -------------------------------------------------------------------------------


def test_communes_are_side_by_side_and_one_without_results_says_so(village_a, district):
    from areas.tests.factories import CommuneFactory, VillageFactory

    populate(village_a, 10, poor=2, near=1)
    empty = CommuneFactory(name="Xã Trống", parent=district)
    VillageFactory(parent=empty)
    report = communes(district, 2023)
    rows = {r["unit"]: r for r in report.tables[0].rows}
    assert rows["Xã Vĩnh Hảo"]["poor_rate"] == Decimal("20.00")
    assert rows["Xã Vĩnh Hảo"]["both_rate"] == Decimal("30.00")
    assert rows["Xã Trống"]["poor"] is None and rows["Xã Trống"]["status"]
    with pytest.raises(ReportError, match="huyện hoặc tỉnh"):
        communes(village_a.parent, 2023)


# --- target services ------------------------------------------------------------------------


def test_target_set_validates_and_detects_a_concurrent_change(village_a, officer, other_officer):
    from django.core.exceptions import ValidationError

    commune = village_a.parent
    target = target_services.target_set(
        area=commune, year=2024, metric="poverty_rate", value="7,64", source="KH", user=officer
    )
    assert target.value == Decimal("7.64") and target.version == 1
    for bad in ("abc", "-1", "101"):
        with pytest.raises(ValidationError):
            target_services.target_set(
                area=commune, year=2024, metric="poverty_rate", value=bad, source="KH"
            )
    with pytest.raises(ValidationError, match="không có quyền"):
        target_services.target_set(
            area=commune, year=2024, metric="jobs", value=1, source="x", user=other_officer
        )
    target_services.target_set(
        area=commune,
        year=2024,
        metric="poverty_rate",
        value="7,5",
        source="KH",
        expected_version=1,
    )
    with pytest.raises(ValidationError, match="vừa được người khác sửa"):
        target_services.target_set(
            area=commune,
            year=2024,
            metric="poverty_rate",
            value="7",
            source="KH",
            expected_version=1,
        )
    target.refresh_from_db()
    assert target.value == Decimal("7.50") and target.version == 2
    with pytest.raises(ValidationError, match="2024"):
        target_services.progress_record(
            target=target, as_of=datetime.date(2023, 5, 1), value=1, source="x"
        )
