"""Measurements on the 1,000,000-household database of issue 16 (five generated provinces).

Generate the data first (bench/nation_generate.sh: five ``generate_area`` runs of 200,000
households, province codes 91–95), then::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_nation \\
        .venv/bin/python bench/nation_bench.py [--province-code 91] [--year 2023] [--runs 7] \\
        [--rebuild] [--output bench/out/nation.json]

It records, with the load average before each step:

- the database: ``pg_database_size``, the biggest tables (with their indexes and TOAST), exact
  row counts of the main tables, and the size per 1,000,000 households;
- section I from the detail rows: the hand-written statement of bench/baseline_bench.py (the SQL
  floor over assessments and deprivations) for one province and for the whole country;
- section I through the report path, ``reports.registry.build`` of ``baseline`` for the province
  (what a user's request runs, whatever that reads), and for every province in turn;
- section I from the summary counts (``households.summary.section_one``), for the province and for
  the whole country, when that module exists; its figures are checked against the floor's;
- with ``--rebuild``: the time of ``manage.py rebuild_summary`` (or of the function it calls,
  ``households.summary.rebuild``, while the command does not exist), once, before the rest;
- with ``--pages-against URL``: an officer's pages (bench/page_costs.py, the officer of commune
  ``--commune`` made by bench/web_load_setup.py on both databases) on this database and on the
  one ``URL`` names (a one-province database), in ``--pairs`` interleaved pairs, alternating which
  goes first; the median over the pairs of each page's median (page_costs.py runs with DEBUG off:
  run ``manage.py collectstatic`` first).

The area tree has no country: provinces are roots, their paths ``/<id>/``. The whole country is
the prefix ``/`` for the floor (``path LIKE '/%'``: every area) and ``""`` for the summary (its
"every area"). The report path takes an area, so for the country it is measured as the five
provinces' reports built one after the other.

Each timing: one warm-up, then the median of ``--runs``. Not a test; figures in
docs/benchmarks.md ("Nation: 1,000,000 households (issue 16)") and docs/scaling.md.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povertyplan.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("HTTPS", "0")
os.environ["DEBUG"] = "0"

import django  # noqa: E402

django.setup()

from baseline_bench import FLOOR_SQL, figures_of_floor, hardware  # noqa: E402
from django.core.management import CommandError, call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from areas.models import Area  # noqa: E402
from households.models import Household  # noqa: E402
from indicators.models import Indicator  # noqa: E402
from reports import registry  # noqa: E402

MAIN_TABLES = (
    "households_household",
    "households_member",
    "households_assessment",
    "households_deprivation",
)


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def timed(fn, runs: int) -> dict:
    fn()  # warm-up: connection, caches, the database's buffers
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "runs_ms": [round(t, 1) for t in times],
    }


def queries_of(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def database_size() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        total = cursor.fetchone()[0]
        cursor.execute(
            """
            SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid),
                   pg_indexes_size(c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r'
            ORDER BY 2 DESC LIMIT 15
            """
        )
        tables = [
            {"table": name, "total_mb": mb(t), "heap_mb": mb(h), "indexes_mb": mb(i)}
            for name, t, h, i in cursor.fetchall()
        ]
        cursor.execute(
            """
            SELECT c.relname, pg_total_relation_size(c.oid), c.reltuples::bigint
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE %s
            """,
            ["households_summary%"],
        )
        summary_tables = {name: {"total_mb": mb(t), "rows": n} for name, t, n in cursor.fetchall()}
        rows = {}
        for table in MAIN_TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (constant names)
            rows[table] = cursor.fetchone()[0]
    households = rows["households_household"]
    return {
        "database_mb": mb(total),
        "per_million_households_gb": (
            round(total / households * 1_000_000 / 1024**3, 2) if households else None
        ),
        "rows": rows,
        "biggest_tables": tables,
        "summary_tables": summary_tables,
    }


def mb(n: int) -> float:
    return round(n / 1024**2, 1)


def floor(prefix: str, area_id: int, year: int) -> list[tuple]:
    end = datetime.date(year, 12, 31).isoformat()
    with connection.cursor() as cursor:
        cursor.execute(
            FLOOR_SQL, {"year": year, "prefix": prefix + "%", "area": area_id, "end": end}
        )
        return cursor.fetchall()


def summary_module():
    try:
        return importlib.import_module("households.summary")
    except ImportError:
        return None


def rebuild(summary) -> dict:
    """The whole summary recomputed: ``manage.py rebuild_summary`` when the command exists, else
    the function it calls."""
    started, before = time.perf_counter(), load()
    try:
        call_command("rebuild_summary")
        how = "manage.py rebuild_summary"
    except CommandError:
        summary.rebuild()
        how = "households.summary.rebuild()"
    seconds = time.perf_counter() - started
    # This server runs with autovacuum off: without fresh statistics the planner guesses.
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE households_summarycount, households_summaryindicatorcount")
    return {
        "seconds": round(seconds, 1),
        "how": how,
        "analyze_seconds": round(time.perf_counter() - started, 1),
        "load_before": before,
    }


def figures_of_summary(value) -> dict:
    """A ``SectionOne`` in the shape of ``figures_of_floor``."""
    figures = {
        klass: (
            value.totals.get(klass, {}).get("households", 0),
            value.totals.get(klass, {}).get("members", 0),
        )
        for klass in ("poor", "near_poor")
    }
    figures.update({f"{code}/{klass}": n for (code, klass), n in value.deprived.items()})
    figures["denominator"] = value.registry
    return figures


def section_one(out: dict, province: Area, year: int, runs: int, summary) -> None:
    codes = list(Indicator.objects.order_by("code").values_list("code", flat=True).distinct())
    scopes = {"province": (province.path, province.pk), "country": ("/", 0)}
    summary_prefix = {"province": province.path, "country": ""}
    floors = {}
    for scope, (prefix, area_id) in scopes.items():
        before = load()
        result = timed(lambda p=prefix, a=area_id: floor(p, a, year), runs)
        floors[scope] = figures_of_floor(floor(prefix, area_id, year), codes)
        out[f"floor_{scope}"] = {**result, "load_before": before}
        print(f"section I from detail rows (SQL floor), {scope}: {result}")

    spec = registry.SPECS["baseline"]
    before = load()
    result = timed(lambda: registry.build(spec, province, year), runs)
    out["report_province"] = {
        **result,
        "queries": queries_of(lambda: registry.build(spec, province, year)),
        "load_before": before,
    }
    print(f"section I through registry.build (baseline), province: {out['report_province']}")

    provinces = list(Area.objects.filter(kind=Area.Kind.PROVINCE, valid_to__isnull=True))
    before = load()
    result = timed(lambda: [registry.build(spec, p, year) for p in provinces], max(1, runs // 2))
    out["report_country_as_provinces"] = {
        **result,
        "provinces": len(provinces),
        "load_before": before,
    }
    print(f"section I through registry.build, every province in turn: {result}")

    if summary is not None:
        build = summary.section_one
        for scope in scopes:
            prefix = summary_prefix[scope]
            before = load()
            result = timed(lambda p=prefix: build(p, year), runs)
            mine = figures_of_summary(build(prefix, year))
            out[f"summary_{scope}"] = {
                **result,
                "queries": queries_of(lambda p=prefix: build(p, year)),
                "load_before": before,
                # Missing keys are zeros: the summary has no row for an indicator nobody lacks.
                "differences_from_floor": {
                    key: (mine.get(key, 0), floors[scope].get(key, 0))
                    for key in sorted(set(floors[scope]) | set(mine))
                    if mine.get(key, 0) != floors[scope].get(key, 0)
                },
            }
            print(f"section I from the summary, {scope}: {result}")
    out["floor_figures"] = {
        scope: {key: str(v) for key, v in figures.items()} for scope, figures in floors.items()
    }


def pages(databases: dict[str, str], commune: str, province: str, pairs: int) -> dict:
    """Interleaved runs of bench/page_costs.py on each database, so that the load of the machine
    falls on both alike."""
    python, cycles = sys.executable, {}
    for label, url in databases.items():
        env = {**os.environ, "DATABASE_URL": url}
        setup = subprocess.run(
            [python, "bench/web_load_setup.py", "--commune", commune, "--province", province],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        cycles[label] = re.search(r"cycle: (\d+)", setup.stdout).group(1)
    runs: dict[str, list[dict]] = {label: [] for label in databases}
    order = list(databases)
    for n in range(pairs):
        for label in order if n % 2 == 0 else order[::-1]:
            target = ROOT / "bench" / "out" / f"nation_pages_{label}_{n}.json"
            subprocess.run(
                [
                    python,
                    "bench/page_costs.py",
                    "--user",
                    "bench.officer",
                    "--cycle",
                    cycles[label],
                    "--runs",
                    "10",
                    "--output",
                    str(target),
                ],
                cwd=ROOT,
                env={**os.environ, "DATABASE_URL": databases[label]},
                capture_output=True,
                check=True,
            )
            runs[label].append(json.loads(target.read_text()))
    result = {"commune": commune, "pairs": pairs, "cycles": cycles}
    for label, reports in runs.items():
        result[label] = {
            page: {
                "median_of_medians_ms": round(
                    statistics.median(r["pages"][page]["median_ms"] for r in reports), 1
                ),
                "medians_ms": [r["pages"][page]["median_ms"] for r in reports],
                "sql_ms_median": statistics.median(r["pages"][page]["sql_ms"] for r in reports),
                "queries": sorted({r["pages"][page]["queries"] for r in reports}),
            }
            for page in reports[0]["pages"]
        }
        result[label]["load_averages"] = [r["load_average"] for r in reports]
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--province-code", default="91")
    ap.add_argument("--year", type=int, default=2023)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--rebuild", action="store_true", help="time rebuild_summary first")
    ap.add_argument("--skip-size", action="store_true")
    ap.add_argument("--skip-section-one", action="store_true")
    ap.add_argument("--pages-against", metavar="URL", help="a one-province database to compare")
    ap.add_argument("--commune", default="91006", help="the officer's commune (both databases)")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--output", default=str(ROOT / "bench" / "out" / "nation.json"))
    args = ap.parse_args()
    year, runs = args.year, args.runs

    province = Area.objects.get(
        kind=Area.Kind.PROVINCE, code=args.province_code, valid_to__isnull=True
    )
    provinces = list(
        Area.objects.filter(kind=Area.Kind.PROVINCE, valid_to__isnull=True).values_list(
            "code", flat=True
        )
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    out = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": f"{connection.vendor} {server} ({connection.settings_dict['NAME']})",
        "hardware": hardware(),
        "year": year,
        "runs": runs,
        "provinces": provinces,
        "province": f"{province.name} ({province.code})",
        "households": {
            "country": Household.objects.count(),
            "province": Household.objects.within(province).count(),
        },
    }
    summary = summary_module()
    out["summary_module"] = summary is not None
    if args.rebuild:
        if summary is None:
            print("households.summary does not exist: no rebuild", file=sys.stderr)
        else:
            out["rebuild"] = rebuild(summary)
            print(f"rebuild_summary: {out['rebuild']}")
    if not args.skip_size:
        out["size"] = database_size()
        print(f"database: {out['size']['database_mb']} MB; rows {out['size']['rows']}")

    if not args.skip_section_one:
        section_one(out, province, year, runs, summary)
    if args.pages_against:
        out["pages"] = pages(
            {"nation": os.environ["DATABASE_URL"], "province": args.pages_against},
            args.commune,
            args.province_code,
            args.pairs,
        )
        for label in ("nation", "province"):
            print(f"officer pages, {label} database: {out['pages'][label]}")

    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"written: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
