"""Cost of single requests to the pages under load, in-process with Django's test client: the
household list with a class filter and a search, the list with an indicator filter sorted by head,
a household page and the review form.

For each page: warm-up, then the median and minimum of ``--runs`` requests in milliseconds, the
number of queries and the time the database reported for them (``CaptureQueriesContext``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_bench \\
        .venv/bin/python bench/page_costs.py --user bench.officer --cycle 10

``--sql`` prints each query with its time. The users come from bench/web_load_setup.py. Not a
test; figures in docs/benchmarks.md ("Web application under load").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povertyplan.settings")
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("HTTPS", "0")
os.environ["DEBUG"] = "0"
os.environ["ALLOWED_HOSTS"] = "testserver"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from households.models import Household  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--user", default="bench.officer")
    ap.add_argument("--cycle", type=int, help="review cycle id for the review form")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--search", default="nguyen van")
    ap.add_argument("--sql", action="store_true")
    ap.add_argument("--output")
    args = ap.parse_args()

    user = User.objects.get(username=args.user)
    client = Client()
    client.force_login(user)
    household = (
        Household.objects.visible_to(user)
        .filter(assessments__household_class="poor")
        .values_list("pk", flat=True)
        .first()
    )
    pages = {
        "list": f"/households/?household_class=poor&q={args.search.replace(' ', '%20')}&page=1",
        "list_filter": "/households/?indicator=2.2&sort=head_name",
        "household": f"/households/{household}/",
    }
    if args.cycle:
        pages["review_form"] = f"/households/{household}/review/{args.cycle}/"
    report = {"user": args.user, "runs": args.runs, "load_average": os.getloadavg(), "pages": {}}
    for name, url in pages.items():
        for _ in range(3):
            assert client.get(url).status_code == 200, (name, url)
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        report["pages"][name] = {
            "median_ms": round(statistics.median(times), 1),
            "min_ms": round(min(times), 1),
            "queries": len(queries),
            "sql_ms": round(sql_ms, 1),
        }
        print(f"{name:12} {report['pages'][name]}")
        if args.sql:
            for q in queries.captured_queries:
                print(f"    {float(q['time']) * 1000:6.1f} ms  {q['sql'][:160]}")
    if args.output:
        Path(args.output).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
