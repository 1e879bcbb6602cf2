"""Benchmark of report rendering: time and peak memory per report and format, and the ``lists``
PDF per 1,000 rows.

Each measurement runs in a fresh child process so that its peak resident memory (``ru_maxrss``)
belongs to that measurement alone; the child reports the memory it had before building the
report, the peak, the time to build the report (queries) and to render it, and the CPU time
(the machine may be shared, so wall time is noisy).

Not a test. Run from the repository root on the database ``DATABASE_URL`` names, after
``load_demo`` (and ``demo.followup.load_followup``, which ``load_demo`` calls) and
``generate_area --level district --households 30000 --province-code 97``::

    .venv/bin/python bench/reports_bench.py --area 01090 --label demo
    .venv/bin/python bench/reports_bench.py --area 9701 --label district --prepare-2024
    .venv/bin/python bench/reports_bench.py --area 9701 --lists-scale 1000,2000,4000,8000,13000
    .venv/bin/python bench/reports_bench.py --area 9701 --lists-scale 1000,2000 --pdf-path document

``--prepare-2024`` gives every commune of a generated area an end-2024 review (the demo's 2024
movement plan applied to each commune) so that ``movement`` and ``progress`` have two years.
Results are printed and written to ``bench/out/reports-<label>.json`` (git-ignored). See
docs/benchmarks-reports.md for the figures measured.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povertyplan.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("HTTPS", "0")

REPORTS = ("baseline", "lists", "movement", "mpi", "progress", "reconciliation", "communes")
FORMATS = ("html", "pdf", "xlsx", "csv", "json")


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def setup():
    import django

    django.setup()
    import weasyprint  # noqa: F401  (imported before measuring, like a warm web worker)


def area_of(code: str):
    from areas.models import Area

    return Area.objects.filter(code=code).order_by("-kind").first()


def child_one(code: str, slug: str, fmt: str, year: int) -> dict:
    setup()
    from reports import registry
    from reports.render import render

    area = area_of(code)
    if slug == "communes" and area.kind == "commune":
        area = area.parent
    spec = registry.spec(slug)
    year = 2023 if slug == "reconciliation" else year
    before = rss_mb()
    cpu0, t0 = time.process_time(), time.perf_counter()
    try:
        report = spec.build(area, year)
    except Exception as exc:  # a report without data for this area: say so, do not crash
        return {"report": slug, "format": fmt, "error": str(exc)}
    t1 = time.perf_counter()
    out = render(report, fmt)
    t2, cpu1 = time.perf_counter(), time.process_time()
    return {
        "report": slug,
        "format": fmt,
        "rows": report.row_count,
        "build_s": round(t1 - t0, 3),
        "render_s": round(t2 - t1, 3),
        "total_s": round(t2 - t0, 3),
        "cpu_s": round(cpu1 - cpu0, 3),
        "bytes": len(out),
        "rss_before_mb": round(before, 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def scaled_lists(code: str, year: int, rows: int):
    """The area's ``lists`` report with its rows repeated (new codes) up to ``rows`` rows, in
    groups of the real villages' sizes: the same renderer work as a bigger area."""
    from households.reports.lists import lists

    report = lists(area_of(code), year)
    poor = report.table("poor")
    source = poor.rows + report.table("near_poor").rows
    out, copy = [], 0
    while len(out) < rows:
        for row in source:
            if len(out) >= rows:
                break
            out.append(
                {
                    **row,
                    "village": f"{row['village']} · {copy}",
                    "code": f"{row['code']}-{copy}",
                }
            )
        copy += 1
    poor.rows = out
    report.tables = [report.table("summary"), poor]
    return report


def child_lists(code: str, year: int, rows: int, path: str) -> dict:
    setup()
    from reports.pdf import document_pdf, table_pdf

    to_pdf = {"table": table_pdf, "document": document_pdf}[path]
    report = scaled_lists(code, year, rows)
    before = rss_mb()
    cpu0, t0 = time.process_time(), time.perf_counter()
    pdf = to_pdf(report)
    t1, cpu1 = time.perf_counter(), time.process_time()
    import io

    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    return {
        "rows": rows,
        "path": path,
        "pages": pages,
        "seconds": round(t1 - t0, 2),
        "cpu_s": round(cpu1 - cpu0, 2),
        "ms_per_row": round(1000 * (t1 - t0) / rows, 2),
        "cpu_ms_per_row": round(1000 * (cpu1 - cpu0) / rows, 2),
        "mb": round(len(pdf) / 2**20, 1),
        "rss_before_mb": round(before, 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def prepare_2024(code: str) -> None:
    setup()
    from demo.followup import review_2024

    area = area_of(code)
    from areas.models import Area

    communes = Area.objects.communes().filter(path__startswith=area.path).order_by("code")
    for commune in communes:
        review_2024(commune, log=lambda *a: None)
    from django.db import connection

    if connection.vendor == "postgresql":
        # Fresh statistics after a bulk load; without them the planner picked a plan 20 times
        # slower for the baseline's first query (measured 5.2 s instead of 0.1 s).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"2024 review present for {communes.count()} communes", file=sys.stderr)


def run_child(common: list[str], args: list[str]) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, *common, "--child", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return {"args": args, "error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def markdown(names: list[str]) -> str:
    """The written results as Markdown tables (for docs/benchmarks-reports.md)."""
    out = []
    for name in names:
        document = json.loads((ROOT / "bench" / "out" / f"reports-{name}.json").read_text())
        load = ", ".join(f"{v:.1f}" for v in document["load_average"])
        out.append(f"#### {name} (load average at the end: {load} on {document['cpus']} CPUs)\n")
        results = document["results"]
        if results and "report" in results[0]:
            out.append(
                "| report | format | rows | build s | render s | total s | CPU s | peak MB |"
            )
            out.append("|---|---|---:|---:|---:|---:|---:|---:|")
            for r in results:
                if "error" in r:
                    out.append(f"| {r.get('report')} | {r.get('format')} | {r['error']} |")
                    continue
                out.append(
                    f"| {r['report']} | {r['format']} | {r['rows']} | {r['build_s']} | "
                    f"{r['render_s']} | {r['total_s']} | {r['cpu_s']} | {r['peak_mb']} |"
                )
        else:
            out.append(
                "| rows | pages | seconds | ms/row | CPU ms/row | PDF MB | before MB | peak MB |"
            )
            out.append("|---:|---:|---:|---:|---:|---:|---:|---:|")
            for r in results:
                out.append(
                    f"| {r['rows']} | {r['pages']} | {r['seconds']} | {r['ms_per_row']} | "
                    f"{r['cpu_ms_per_row']} | {r['mb']} | {r['rss_before_mb']} | {r['peak_mb']} |"
                )
        out.append("")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--area", help="code of the commune or district")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--label", default="")
    parser.add_argument("--reports", default=",".join(REPORTS))
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--lists-scale", default="", help="row counts, e.g. 1000,2000,4000")
    parser.add_argument(
        "--pdf-path",
        choices=("table", "document"),
        default="table",
        help="lists: table = reports.pdf.table_pdf (fastpdf, what lists use); document = "
        "reports.pdf.document_pdf (one WeasyPrint document, for comparison)",
    )
    parser.add_argument("--prepare-2024", action="store_true")
    parser.add_argument("--child", nargs="*")
    parser.add_argument("--markdown", default="", help="print written results, e.g. demo,lists")
    if "--markdown" in sys.argv:
        print(markdown(sys.argv[sys.argv.index("--markdown") + 1].split(",")))
        return
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "one":
            result = child_one(args.area, rest[0], rest[1], args.year)
        else:
            result = child_lists(args.area, args.year, int(rest[0]), rest[1])
        print(json.dumps(result, ensure_ascii=False))
        return
    if args.prepare_2024:
        prepare_2024(args.area)
    results = []
    common = ["--area", args.area, "--year", str(args.year)]
    if args.lists_scale:
        for rows in [int(n) for n in args.lists_scale.split(",")]:
            result = run_child(common, ["lists", str(rows), args.pdf_path])
            print(json.dumps(result, ensure_ascii=False), flush=True)
            results.append(result)
        name = "lists" if args.pdf_path == "table" else "lists-document"
    else:
        for slug in args.reports.split(","):
            for fmt in args.formats.split(","):
                result = run_child(common, ["one", slug, fmt])
                print(json.dumps(result, ensure_ascii=False), flush=True)
                results.append(result)
        name = args.label or args.area
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"reports-{name}.json"
    load = os.getloadavg()
    document = {"load_average": load, "cpus": os.cpu_count(), "results": results}
    target.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"written {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
