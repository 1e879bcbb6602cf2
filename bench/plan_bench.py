"""Time and peak memory of the whole plan document (report ``plan``) for one commune and year.

Builds the plan (queries and composition) and renders it, repeated, in one process, and prints
JSON: wall time per run (build, PDF render), the PDF's size and page count, the process's peak
resident memory and the peak of Python allocations during one build and render. The demo must
be loaded in the database named by DATABASE_URL (``load_demo``, the follow-up year and
``load_demo_projects``), for example:

    DEBUG=1 DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/plan_bench.py \
        --area 01090 --year 2024 --runs 5

Target (issue 6): the PDF of the demo commune in under 3 s.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povertyplan.settings")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--area", default="01090", help="code or exact name of the commune")
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--format", default="pdf", choices=["pdf", "xlsx", "html", "json", "csv"])
    ap.add_argument("--output", help="also write the JSON result to this file")
    args = ap.parse_args()

    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from areas.models import Area
    from plan.document import plan_report
    from reports.render import render

    area = Area.objects.lookup(args.area).get()
    plan_report(area, args.year)  # warm up: imports, fonts, template loading
    builds, renders, queries, size, pages = [], [], 0, 0, None
    for _ in range(args.runs):
        reset_queries()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            report = plan_report(area, args.year)
        built = time.perf_counter()
        output = render(report, args.format)
        done = time.perf_counter()
        builds.append(built - started)
        renders.append(done - built)
        queries = len(ctx.captured_queries)
        size = len(output)
    if args.format == "pdf":
        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(output)).pages)
    tracemalloc.start()
    render(plan_report(area, args.year), args.format)
    _, python_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    totals = [b + r for b, r in zip(builds, renders, strict=True)]
    result = {
        "area": area.name,
        "year": args.year,
        "format": args.format,
        "runs": args.runs,
        "queries_per_build": queries,
        "build_seconds_median": round(statistics.median(builds), 3),
        "render_seconds_median": round(statistics.median(renders), 3),
        "total_seconds_median": round(statistics.median(totals), 3),
        "total_seconds_max": round(max(totals), 3),
        "output_bytes": size,
        "pages": pages,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "python_alloc_peak_mib": round(python_peak / 2**20, 1),
        "target_seconds": 3.0,
    }
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
