import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.formatting import format_int, format_percent, percent
from households import services
from households.reports.baseline import baseline
from households.tests.factories import HouseholdFactory, MemberFactory, ReviewCycleFactory
from reports.errors import ReportError
from reports.models import HouseholdTotal

pytestmark = pytest.mark.django_db


def populate(village, n, *, poor=0, near=0, year=2023):
    """n households in ``village``: the first ``poor`` poor (3 deprivations), then ``near``
    near-poor (1 deprivation), the rest not poor. Each has 2 members."""
    commune = village.parent
    cycle = commune.review_cycles.filter(year=year).first() or ReviewCycleFactory(
        commune=commune, year=year
    )
    entries = []
    for i in range(n):
        h = HouseholdFactory(village=village)
        MemberFactory.create_batch(2, household=h)
        if i < poor:
            entries.append(services.AssessmentEntry(h, 1_000_000, None, ["2.2", "4.1", "5.2"]))
        elif i < poor + near:
            entries.append(services.AssessmentEntry(h, 1_400_000, None, ["2.2"]))
        else:
            entries.append(services.AssessmentEntry(h, 4_000_000, None, []))
    services.assessments_record(cycle=cycle, entries=entries)
    return cycle


def test_percentages_are_half_up_with_two_decimals():
    assert str(percent(37, 98)) == "37.76"
    assert str(percent(1, 8)) == "12.50"
    assert str(percent(1, 800)) == "0.13"  # 0.125 rounds up
    assert percent(1, 0) is None
    assert format_percent(percent(134, 1295)) == "10,35 %"
    assert format_int(1295) == "1.295" and format_int(1234567) == "1.234.567"


def test_baseline_counts_a_commune_and_each_of_its_villages(village_a, village_b):
    populate(village_a, 10, poor=2, near=1)
    populate(village_b, 5, poor=1)
    commune = village_a.parent
    summary = {r["key"]: r for r in baseline(commune, 2023).tables[0].rows}
    assert summary["poor"]["households"] == 3 and summary["poor"]["members"] == 6
    assert summary["near_poor"]["households"] == 1
    assert summary["all"]["households"] == 15
    assert str(summary["poor"]["rate"]) == "20.00"
    rows = {r["code"]: r for r in baseline(village_a, 2023).tables[1].rows}
    assert rows["4.1"]["poor"] == 2 and str(rows["4.1"]["poor_rate"]) == "100.00"
    assert rows["2.2"]["near_poor"] == 1 and rows["1.1"]["poor"] == 0


def test_baseline_aggregates_communes_up_to_the_district(village_a, other_village, district):
    populate(village_a, 4, poor=1)
    populate(other_village, 6, poor=3)  # another district: not counted
    summary = {r["key"]: r for r in baseline(district, 2023).tables[0].rows}
    assert summary["poor"]["households"] == 1 and summary["all"]["households"] == 4


def test_a_stated_household_total_replaces_the_registry_and_says_so(village_a):
    populate(village_a, 4, poor=1)
    commune = village_a.parent
    HouseholdTotal.objects.create(area=commune, year=2023, households=50, source="Báo cáo xã")
    report = baseline(commune, 2023)
    summary = {r["key"]: r for r in report.tables[0].rows}
    assert summary["all"]["households"] == 50 and str(summary["poor"]["rate"]) == "2.00"
    assert any("Báo cáo xã" in note for note in report.footnotes)


def test_a_year_without_a_review_is_a_clear_error(village_a):
    populate(village_a, 2, poor=1)
    with pytest.raises(ReportError, match="2021"):
        baseline(village_a.parent, 2021)


def test_the_baseline_query_count_does_not_grow_with_households(
    village_a, django_assert_num_queries
):
    commune = village_a.parent
    populate(village_a, 3, poor=1, near=1)
    with django_assert_num_queries(5) as small:
        baseline(commune, 2023)
    populate(village_a, 30, poor=10, near=5)
    with django_assert_num_queries(len(small.captured_queries)):
        baseline(commune, 2023)


def test_the_report_command_prints_csv_and_json(village_a, tmp_path, capsys):
    populate(village_a, 10, poor=2, near=1)
    commune = village_a.parent
    call_command("report", "baseline", "--area", commune.code, "--year", "2023", "--format", "csv")
    out = capsys.readouterr().out
    assert "Hộ nghèo;2;4;20,00" in out  # Vietnamese CSV: ";" between cells, decimal comma
    target = tmp_path / "b.json"
    call_command(
        "report",
        "baseline",
        "--area",
        commune.name,
        "--year",
        "2023",
        "--format",
        "json",
        "--output",
        str(target),
    )
    data = json.loads(target.read_text(encoding="utf-8"))
    poor = next(r for r in data["tables"][0]["rows"] if r["key"] == "poor")
    assert poor == {
        "key": "poor",
        "label": "Hộ nghèo",
        "households": 2,
        "members": 4,
        "rate": "20.00",
    }


def test_the_report_command_refuses_an_unknown_area_or_year(village_a):
    populate(village_a, 2, poor=1)
    with pytest.raises(CommandError, match="Không tìm thấy"):
        call_command("report", "baseline", "--area", "nowhere", "--year", "2023")
    with pytest.raises(CommandError, match="2020"):
        call_command("report", "baseline", "--area", village_a.parent.code, "--year", "2020")


def test_the_dashboard_shows_section_one_in_vietnamese_format(client, officer, village_a):
    populate(village_a, 8, poor=3, near=1)
    client.force_login(officer)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thực trạng hộ nghèo đa chiều cuối năm 2023" in html
    assert "37,50 %" in html  # 3 of 8 households


def test_the_dashboard_of_a_board_shows_its_commune_figures(client, board_a, village_a):
    populate(village_a, 4, poor=1)
    client.force_login(board_a)
    assert "25,00 %" in client.get(reverse("dashboard")).content.decode()


def test_pages_need_a_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_board_gets_404_for_a_household_of_another_village(client, board_a, village_a, village_b):
    mine, theirs = HouseholdFactory(village=village_a), HouseholdFactory(village=village_b)
    client.force_login(board_a)
    assert client.get(reverse("household_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("household_detail", args=[theirs.pk])).status_code == 404


def test_the_report_view_is_scoped_and_explains_bad_parameters(
    client, viewer, other_officer, village_a
):
    populate(village_a, 4, poor=1)
    commune = village_a.parent
    url = reverse("report", args=["baseline"])
    client.force_login(viewer)
    ok = client.get(url, {"area": commune.pk, "year": 2023, "format": "csv"})
    assert ok.status_code == 200 and ok["Content-Type"].startswith("text/csv")
    assert client.get(url, {"area": commune.pk, "year": "abc"}).status_code == 400
    assert client.get(url, {"area": commune.pk, "year": 2023, "format": "doc"}).status_code == 400
    client.force_login(other_officer)
    denied = client.get(url, {"area": commune.pk, "year": 2023})
    assert denied.status_code == 400 and "không có quyền" in denied.content.decode()
