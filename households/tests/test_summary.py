"""The summary counts (households/summary.py): one truth with the rows (section I, the communes
table and the trend read from the summary equal the same reports computed from the results),
the rebuild command, and the household list's total for a district viewer."""

import io
from importlib import import_module

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from areas.models import Area
from demo.generator import generate_area
from households import standing, summary
from households.models import Deprivation, Household, SummaryCount
from households.reports.baseline import baseline_report
from households.reports.communes import communes
from reports.errors import ReportError

pytestmark = pytest.mark.django_db


def assert_matches_recount():
    kept = summary.stored()
    assert kept == summary.recount()
    assert any(key[0] == "figures" for key in kept[0])  # not two empty tables


def both_ways(settings, build, *args):
    """``build(*args)`` read from the summary and computed from the results: the report, or the
    message it refused with."""
    out = []
    for reads in (True, False):
        settings.SUMMARY_READS = reads
        try:
            report = build(*args)
        except ReportError as exc:
            out.append(("refused", exc.messages))
        else:
            out.append((report.tables, report.charts, report.footnotes, report.provenance))
    return out


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo commune, loaded once for the module (each test's writes roll back); the
    reference data a flushing module may have left out is put back first, and the database is
    left empty to the modules that follow."""
    from django.apps import apps as global_apps

    from indicators import standards_data

    with django_db_blocker.unblock():
        standards_data.load(global_apps)
        import_module("budget.migrations.0003_funding_sources").load(global_apps, None)
        try:
            call_command("load_demo", stdout=io.StringIO())
            yield Area.objects.get(kind=Area.Kind.COMMUNE, name="Xã Vĩnh Hảo")
        finally:
            call_command("flush", interactive=False, verbosity=0)
            standards_data.load(global_apps)
            import_module("budget.migrations.0003_funding_sources").load(global_apps, None)


def test_section_one_and_the_communes_table_from_the_summary_are_the_computed_ones(settings, demo):
    district, province = demo.parent, demo.parent.parent
    generate_area(households=700, province_code="97", seed=3, level="district")
    generated = Area.objects.get(kind=Area.Kind.DISTRICT, code__startswith="97")
    for year in (2022, 2023, 2024, 2025, 2026):  # no review, decided, decided, none, open
        for area in (district, province, generated, generated.parent):
            from_summary, computed = both_ways(settings, baseline_report, area, year)
            assert from_summary == computed, (area, year)
            from_summary, computed = both_ways(settings, communes, area, year)
            assert from_summary == computed, (area, year)
    settings.SUMMARY_READS = True  # a few grouped queries, whatever the number of households
    large, small = province, generated.parent  # the demo's province; the 700 generated
    assert Household.objects.within(large).count() > Household.objects.within(small).count()
    for build, cap in ((baseline_report, 11), (communes, 6)):
        counts = []
        for area in (large, small):
            with CaptureQueriesContext(connection) as queries:
                build(area, 2023)
            counts.append(len(queries))
        assert counts[0] == counts[1] <= cap, (build.__name__, counts)


def test_section_one_of_the_whole_country_is_the_sum_of_every_result(demo):
    generate_area(households=500, province_code="97", seed=3)
    for year in (2023, 2024):
        figures = summary.section_one("", year)
        results = standing.year_results(year)
        assert figures.totals == results.class_totals()
        deprived = {}
        for code, klass in Deprivation.objects.filter(
            assessment__in=results.filter(household_class__in=["poor", "near_poor"])
        ).values_list("indicator__code", "assessment__household_class"):
            deprived[(code, klass)] = deprived.get((code, klass), 0) + 1
        assert figures.deprived == deprived
        registry = (
            Household.objects.alias(day=standing.reference_day(year))
            .filter(standing.on_registry(F("day")))
            .count()
        )
        assert figures.registry == registry
        province = Area.objects.get(kind=Area.Kind.PROVINCE, code="97")
        assert summary.section_one(province.path, year).registry == (
            standing.registry_of_year(province, year).count()
        )


def test_the_demo_keeps_its_counts_and_the_rebuild_command_recomputes_them(demo):
    assert_matches_recount()
    kept = summary.stored()
    SummaryCount.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_summary", stdout=out)
    assert summary.stored() == kept
    assert "cả nước" in out.getvalue() and "giây" in out.getvalue()
    SummaryCount.objects.filter(village__parent=demo).update(households=999)
    call_command("rebuild_summary", "--area", demo.code, stdout=io.StringIO())
    assert summary.stored() == kept
    with pytest.raises(CommandError):
        call_command("rebuild_summary", "--area", "nowhere", stdout=io.StringIO())
    # the migration that adds the tables fills them on a database that has households
    SummaryCount.objects.all().delete()
    from django.apps import apps as global_apps

    import_module("households.migrations.0007_summary_counts").fill(global_apps, None)
    assert summary.stored() == kept


LIST_FILTERS = [
    {},
    {"household_class": "poor"},
    {"cycle": 2024, "household_class": "near_poor", "indicator": "2.2"},
    {"cycle": 2024, "indicator": "4.1"},
    {"village": "A"},
    {"village": "A", "household_class": "poor"},
    {"household_class": "poor", "sort": "head_name"},
    {"commune": "X"},
    {"commune": "X", "household_class": "poor"},
]


def test_a_province_viewers_list_counts_from_the_summary_what_it_lists(
    client, settings, demo, django_assert_max_num_queries
):
    from accounts.tests.factories import UserFactory

    viewer = UserFactory(username="province", membership=(demo.parent.parent, "viewer"))
    client.force_login(viewer)
    village = demo.children.order_by("pk").first().pk
    cycle = demo.review_cycles.get(year=2024, kind="periodic").pk
    for filters in LIST_FILTERS:
        filters = {**filters, **({"village": village} if "village" in filters else {})}
        filters = {**filters, **({"cycle": cycle} if "cycle" in filters else {})}
        filters = {**filters, **({"commune": demo.pk} if "commune" in filters else {})}
        counts = []
        for reads in (True, False):
            settings.SUMMARY_READS = reads
            page = client.get(reverse("household_list"), filters).context["page"]
            counts.append(page.paginator.count)
        assert counts[0] == counts[1] > 0, filters
    # a commune chosen over a province is counted from the summary too: a kept count shows
    settings.SUMMARY_READS = True
    SummaryCount.objects.filter(basis="households", village__parent=demo).update(households=3)
    page = client.get(reverse("household_list"), {"commune": demo.pk}).context["page"]
    assert page.paginator.count == 3 * demo.children.count()
    # the first way was the summary's: a count kept wrong shows in the page
    settings.SUMMARY_READS = True
    SummaryCount.objects.filter(basis="households").update(households=7)
    villages = SummaryCount.objects.filter(basis="households").count()
    with django_assert_max_num_queries(20):
        page = client.get(reverse("household_list")).context["page"]
    assert page.paginator.count == 7 * villages
