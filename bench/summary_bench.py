"""What the summary counts cost and save (households/summary.py), on the database
``DATABASE_URL`` names (a dedicated one: it generates a province there if its code is free).

- a review save: ``assessment_record`` of one household in an open periodic review, the median
  of ``--saves`` saves, and the part of it spent refreshing the village's counts;
- opening a periodic review (the commune's registry counts) and the review's decision (the
  villages whose results later years carry);
- ``rebuild`` of every count, and section I of the province from the summary against the same
  computed from the results.

On PostgreSQL it runs ``ANALYZE`` first: right after a generation the planner has no statistics
and picks plans a live database (autovacuum) would not.

Not a test. Run from the repository root::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_summary .venv/bin/python \\
        bench/summary_bench.py --households 20000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povertyplan.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("HTTPS", "0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--province-code", default="96")
    parser.add_argument("--saves", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction

    from areas.models import Area
    from demo.generator import generate_area
    from households import services, summary
    from households.models import Household, ReviewCycle
    from households.reports.baseline import baseline

    spent: list[float] = []
    original = summary.refresh

    def timed_refresh(*a, **k):
        started = time.perf_counter()
        try:
            return original(*a, **k)
        finally:
            spent.append(time.perf_counter() - started)

    summary.refresh = timed_refresh

    province = Area.objects.filter(kind=Area.Kind.PROVINCE, code=args.province_code).first()
    if province is None:
        started = time.perf_counter()
        province = generate_area(
            households=args.households, province_code=args.province_code, seed=7
        ).area
        print(f"generated {args.households} households in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":  # the statistics autovacuum would have by now
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"database: {connection.vendor}; households in it: {Household.objects.count()}")

    commune = Area.objects.filter(kind=Area.Kind.COMMUNE, path__startswith=province.path).first()
    year = ReviewCycle.objects.filter(commune=commune).order_by("-year").first().year + 1
    out = {}
    with transaction.atomic():
        spent.clear()
        started = time.perf_counter()
        cycle = services.review_cycle_create(commune=commune, year=year)
        out["open a periodic review"] = (time.perf_counter() - started, sum(spent))
        homes = list(Household.objects.filter(commune=commune).order_by("pk")[: args.saves])
        saves, refreshes = [], []
        for i, home in enumerate(homes):
            spent.clear()
            started = time.perf_counter()
            services.assessment_record(
                cycle=cycle,
                household=home,
                income_per_capita=1_000_000 + 100_000 * (i % 30),
                deprived=("2.2", "4.1") if i % 2 else (),
            )
            saves.append(time.perf_counter() - started)
            refreshes.append(sum(spent))
        out["review save (median)"] = (statistics.median(saves), statistics.median(refreshes))
        everyone = list(Household.objects.filter(commune=commune).order_by("pk"))
        entries = [
            services.AssessmentEntry(h, 1_000_000 + 100_000 * (i % 30), None, ("2.2",))
            for i, h in enumerate(everyone)
        ]
        spent.clear()
        started = time.perf_counter()
        with summary.collecting():  # as the results import writes
            services.assessments_record(cycle=cycle, entries=entries)
        label = f"results of the whole commune at once ({len(entries)} households)"
        out[label] = (time.perf_counter() - started, sum(spent))
        spent.clear()
        started = time.perf_counter()
        with summary.collecting():
            services.review_cycle_finalise(cycle=cycle, user=None)
        out["the review's decision"] = (time.perf_counter() - started, sum(spent))
        transaction.set_rollback(True)

    started = time.perf_counter()
    with transaction.atomic():
        done = summary.rebuild()
    out["rebuild (every count)"] = (time.perf_counter() - started, None)
    print(f"rebuild: {done}")

    for reads in (True, False):
        settings.SUMMARY_READS = reads
        times = []
        for _ in range(5):
            started = time.perf_counter()
            baseline(province, year - 1)
            times.append(time.perf_counter() - started)
        label = "from the summary" if reads else "computed from the results"
        out[f"section I of the province, {label} (median of 5)"] = (statistics.median(times), None)
    for label, (total, refresh) in out.items():
        extra = f"; refresh {refresh * 1000:.1f} ms" if refresh is not None else ""
        print(f"{label}: {total * 1000:.1f} ms{extra}")


if __name__ == "__main__":
    main()
