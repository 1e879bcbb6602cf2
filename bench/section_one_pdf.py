"""Time the section I report (`baseline`) of one area as a PDF, in one warm process: build (the
query layer) and render, median of N runs after one warm-up, and the process's peak memory.

    DEBUG=1 DATABASE_URL=... .venv/bin/python bench/section_one_pdf.py --area 01090 --year 2023

Target (issue 5): the commune's section I PDF in under 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povertyplan.settings")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--area", default="01090")
    ap.add_argument("--year", type=int, default=2023)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    import django

    django.setup()
    from areas.models import Area
    from reports import registry
    from reports.render import render

    area = Area.objects.lookup(args.area).get()
    build = registry.get("baseline")
    render(build(area, args.year), "pdf")  # warm-up: fonts, templates, connections
    builds, renders, totals = [], [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        report = build(area, args.year)
        t1 = time.perf_counter()
        pdf = render(report, "pdf")
        t2 = time.perf_counter()
        builds.append(t1 - t0)
        renders.append(t2 - t1)
        totals.append(t2 - t0)
    print(
        json.dumps(
            {
                "area": area.name,
                "year": args.year,
                "runs": args.runs,
                "build_s_median": round(statistics.median(builds), 3),
                "render_s_median": round(statistics.median(renders), 3),
                "total_s_median": round(statistics.median(totals), 3),
                "total_s_max": round(max(totals), 3),
                "pdf_bytes": len(pdf),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "load_average": os.getloadavg(),
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
