"""Benchmark of the baseline report (section I) against a hand-written SQL floor.

For the demo commune (``load_demo``) and a generated province (``generate_area``), times
``households.reports.baseline.baseline(area, year)``: one warm-up run, then the median of
``--runs`` runs, and the number of queries. In the same run it times one hand-written SQL
statement (raw SQL through ``connection.cursor()``) that computes the same figures — households
and members per class, the poor and near-poor households deprived in each indicator, the
denominator — and checks that both give identical figures. Exits with status 1 if they differ.

Not a test. Run from the repository root, on the database ``DATABASE_URL`` names (SQLite when
unset)::

    .venv/bin/python bench/baseline_bench.py [--province-code 99] [--year 2023] [--runs 5]

Results are printed and written to ``bench/out/baseline-<vendor>.json`` (git-ignored). See
docs/benchmarks.md for the set-up commands and the figures measured.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povertyplan.settings")
# Production-like settings: DEBUG off (no query log kept), so a secret is needed to start.
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("HTTPS", "0")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from areas.models import Area  # noqa: E402
from demo.commune import load_spec  # noqa: E402
from households.models import Assessment, Deprivation, Household  # noqa: E402
from households.reports.baseline import baseline  # noqa: E402

POOR, NEAR = "poor", "near_poor"

# The floor: one statement written by hand for the figures the report shows: households and
# members of the poor and near-poor classes; the poor and near-poor households deprived in each
# indicator (counted per indicator id, the codes joined to the 24 result rows afterwards); the
# denominator, the stated figure if there is one, else the households on the registry at the end
# of the year. Plain SQL that runs unchanged on PostgreSQL and SQLite. (A variant reading the
# assessments once through a common table expression was slower on PostgreSQL, which
# materialises a CTE used twice.)
FLOOR_SQL = """
SELECT 'class', a.household_class, NULL, COUNT(*), SUM(a.member_count)
FROM households_assessment a
JOIN households_reviewcycle c ON c.id = a.cycle_id
JOIN areas_area v ON v.id = a.village_id
WHERE c.year = %(year)s AND c.kind = 'periodic' AND v.path LIKE %(prefix)s
  AND a.household_class IN ('poor', 'near_poor')
GROUP BY a.household_class
UNION ALL
SELECT 'indicator', g.household_class, i.code, g.n, NULL
FROM (
    SELECT a.household_class, d.indicator_id, COUNT(*) AS n
    FROM households_deprivation d
    JOIN households_assessment a ON a.id = d.assessment_id
    JOIN households_reviewcycle c ON c.id = a.cycle_id
    JOIN areas_area v ON v.id = a.village_id
    WHERE c.year = %(year)s AND c.kind = 'periodic' AND v.path LIKE %(prefix)s
      AND a.household_class IN ('poor', 'near_poor')
    GROUP BY a.household_class, d.indicator_id
) g
JOIN indicators_indicator i ON i.id = g.indicator_id
UNION ALL
SELECT 'denominator', NULL, NULL, COALESCE(
    (SELECT t.households FROM reports_householdtotal t
     WHERE t.area_id = %(area)s AND t.year = %(year)s),
    (SELECT COUNT(*)
     FROM households_household h
     JOIN areas_area hv ON hv.id = h.village_id
     WHERE hv.path LIKE %(prefix)s
       AND (h.left_registry_on IS NULL OR h.left_registry_on > %(end)s))
), NULL
"""


def floor(area: Area, year: int) -> list[tuple]:
    prefix = area.path + "%"  # paths hold only digits and slashes: nothing to escape
    end = datetime.date(year, 12, 31).isoformat()
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, {"year": year, "prefix": prefix, "area": area.pk, "end": end})
        return cursor.fetchall()


def figures_of_report(report) -> dict:
    summary = {row["key"]: row for row in report.tables[0].rows}
    figures = {
        "poor": (summary["poor"]["households"], summary["poor"]["members"]),
        "near_poor": (summary["near_poor"]["households"], summary["near_poor"]["members"]),
        "denominator": summary["all"]["households"],
    }
    for row in report.tables[1].rows:
        figures[f"{row['code']}/poor"] = row["poor"]
        figures[f"{row['code']}/near_poor"] = row["near_poor"]
    return figures


def figures_of_floor(rows: list[tuple], codes: list[str]) -> dict:
    figures = {"poor": (0, 0), "near_poor": (0, 0)}
    figures.update({f"{code}/{klass}": 0 for code in codes for klass in (POOR, NEAR)})
    for kind, klass, code, n, members in rows:
        if kind == "class" and klass in (POOR, NEAR):
            figures[klass] = (n, members or 0)
        elif kind == "indicator":
            figures[f"{code}/{klass}"] = n
        elif kind == "denominator":
            figures["denominator"] = n
    return figures


def timed(fn, runs: int) -> tuple[float, list[float]]:
    fn()  # warm-up: connection, caches, the database's buffers
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), times


def size_of(area: Area, year: int) -> dict:
    assessments = Assessment.objects.periodic_of_year(year).within(area)
    return {
        "households": Household.objects.within(area).count(),
        "assessments": assessments.count(),
        "deprivations": Deprivation.objects.filter(assessment__in=assessments).count(),
    }


def bench(label: str, area: Area, year: int, runs: int) -> dict:
    with CaptureQueriesContext(connection) as orm_queries:
        report = baseline(area, year)
    with CaptureQueriesContext(connection) as floor_queries:
        rows = floor(area, year)
    codes = [row["code"] for row in report.tables[1].rows]
    orm_figures, floor_figures = figures_of_report(report), figures_of_floor(rows, codes)
    orm_ms, orm_runs = timed(lambda: baseline(area, year), runs)
    floor_ms, floor_runs = timed(lambda: floor(area, year), runs)
    return {
        "label": label,
        "area": f"{area.name} ({area.code})",
        "size": size_of(area, year),
        "orm_median_ms": round(orm_ms, 2),
        "orm_runs_ms": [round(t, 2) for t in orm_runs],
        "orm_queries": len(orm_queries.captured_queries),
        "floor_median_ms": round(floor_ms, 2),
        "floor_runs_ms": [round(t, 2) for t in floor_runs],
        "floor_queries": len(floor_queries.captured_queries),
        "ratio": round(orm_ms / floor_ms, 2) if floor_ms else None,
        "figures_identical": orm_figures == floor_figures,
        "figures": {"poor": orm_figures["poor"], "near_poor": orm_figures["near_poor"]},
        "denominator": orm_figures["denominator"],
        "differences": {
            key: (orm_figures.get(key), floor_figures.get(key))
            for key in sorted(set(orm_figures) | set(floor_figures))
            if orm_figures.get(key) != floor_figures.get(key)
        },
    }


def hardware() -> dict:
    info = {"nproc": os.cpu_count(), "python": platform.python_version()}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu"] = next(
            line.split(":", 1)[1].strip()
            for line in cpuinfo.splitlines()
            if line.startswith("model name")
        )
        meminfo = Path("/proc/meminfo").read_text().splitlines()[0]
        info["memory_gib"] = round(int(meminfo.split()[1]) / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    info["load_average"] = os.getloadavg()
    return info


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--province-code", default="99")
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-province", action="store_true")
    args = parser.parse_args()

    demo_code = load_spec()["areas"]["commune"]["code"]
    targets = [("commune (demo)", Area.objects.get(kind=Area.Kind.COMMUNE, code=demo_code))]
    if not args.skip_province:
        province = Area.objects.filter(
            kind=Area.Kind.PROVINCE, code=args.province_code, valid_to__isnull=True
        ).first()
        if province is None:
            print(
                f"Không có tỉnh mã {args.province_code}; hãy chạy "
                f"`manage.py generate_area --households 200000 --province-code "
                f"{args.province_code}` trước.",
                file=sys.stderr,
            )
            return 2
        targets.append(("province (generated)", province))

    vendor = connection.vendor
    server = ""
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = cursor.fetchone()[0]
    else:
        import sqlite3

        server = sqlite3.sqlite_version
    results = [bench(label, area, args.year, args.runs) for label, area in targets]
    out = {
        "database": f"{vendor} {server}",
        "hardware": hardware(),
        "year": args.year,
        "runs": args.runs,
        "when": datetime.datetime.now().isoformat(timespec="seconds"),
        "results": results,
    }
    print(f"database: {out['database']}; hardware: {out['hardware']}")
    header = f"{'target':<22}{'households':>11}{'orm ms':>10}{'queries':>9}{'sql ms':>10}"
    print(header + f"{'ratio':>7}  identical")
    for r in results:
        print(
            f"{r['label']:<22}{r['size']['households']:>11}{r['orm_median_ms']:>10.2f}"
            f"{r['orm_queries']:>9}{r['floor_median_ms']:>10.2f}{r['ratio']:>7.2f}  "
            f"{r['figures_identical']}"
        )
        if r["differences"]:
            print(f"  differences (orm, sql): {r['differences']}")
    target = ROOT / "bench" / "out" / f"baseline-{vendor}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"written: {target.relative_to(ROOT)}")
    return 0 if all(r["figures_identical"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
