"""EXPLAIN (ANALYZE) of the household list's queries, as the list page builds them, for one user:
the page query (first page of 25) for every sort the list offers, and the COUNT, with and
without filters.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_bench \\
        .venv/bin/python bench/list_explain.py --user bench.viewer [--plans]

Prints each query's execution time as PostgreSQL reports it (and the plans with ``--plans``).
Not a test; findings in docs/benchmarks.md ("Province viewer (issue 16)").
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povertyplan.settings")
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("HTTPS", "0")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from areas.models import Area  # noqa: E402
from households.models import ReviewCycle  # noqa: E402
from households.queries import SORTS, household_list, latest_periodic_year  # noqa: E402

FILTERS = {
    "none": {},
    "class poor + search": {"household_class": "poor", "q": "nguyen van"},
    "indicator 2.2": {"indicator": "2.2"},
    "dimension 2 + class poor": {"dimension": "2", "household_class": "poor"},
}


def explain(queryset, *, plans: bool) -> float:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        lines = [row[0] for row in cursor.fetchall()]
    if plans:
        print("\n".join("      " + line for line in lines))
    return float(re.search(r"Execution Time: ([\d.]+)", lines[-1]).group(1))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--user", default="bench.viewer")
    ap.add_argument("--plans", action="store_true")
    ap.add_argument("--sorts", default=",".join(SORTS))
    ap.add_argument("--filters", default=",".join(FILTERS))
    ap.add_argument("--output")
    args = ap.parse_args()
    user = User.objects.get(username=args.user)
    year = latest_periodic_year(ReviewCycle.objects.visible_to(user))
    # as the list page does: a user of one commune has it said once more (households.views)
    communes = list(Area.objects.visible_to(user).communes().values_list("pk", flat=True))
    commune = communes[0] if len(communes) == 1 else None
    report = {"user": args.user, "year": year, "load_average": os.getloadavg(), "queries": {}}
    for fname in args.filters.split(","):
        filters = FILTERS[fname]
        qs = household_list(user, year=year, commune=commune, **filters)
        key = f"{fname} | COUNT"
        print(key)
        with CaptureQueriesContext(connection) as counted:
            qs.count()  # the COUNT exactly as the paginator sends it
        sql = counted.captured_queries[-1]["sql"]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            lines = [row[0] for row in cursor.fetchall()]
        if args.plans:
            print("\n".join("      " + line for line in lines))
        report["queries"][key] = float(re.search(r"Execution Time: ([\d.]+)", lines[-1]).group(1))
        print(f"    {report['queries'][key]} ms")
        for sort in args.sorts.split(","):
            key = f"{fname} | page sorted by {sort}"
            print(key)
            page = household_list(user, year=year, commune=commune, sort=sort, **filters)[:25]
            explain(page, plans=False)  # warm
            report["queries"][key] = explain(page, plans=args.plans)
            print(f"    {report['queries'][key]} ms")
    if args.output:
        Path(args.output).write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
