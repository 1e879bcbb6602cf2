"""Deterministic work of the report path: Python function calls per report and format.

Wall and CPU times on a shared 2-CPU machine spread by 40 % and more between runs of the same
code, so they cannot tell a 5 % slowdown from noise. The number of Python function calls that
``cProfile`` counts for the same code on the same data is the same on every run, so two
checkouts can be compared exactly: run this script in each (each on its own database, prepared
the same way), then compare the two outputs.

Not a test. From the repository root, on the database ``DATABASE_URL`` names, after
``load_demo``::

    .venv/bin/python bench/profile_calls.py --area 01090 --output bench/out/calls-after.json
    .venv/bin/python bench/profile_calls.py --compare before.json after.json [--top 15]

Like ``bench/reports_bench.py``, every item runs in a fresh child process: "setup" counts the
calls of ``django.setup()`` and importing WeasyPrint, "item" those of building the report and
rendering it once (cold, as the benchmark's children do). ``--compare`` prints per item the two
counts and their difference, and with ``--top`` the functions whose call counts differ most
(from the ``.prof`` files written beside the output).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ("baseline", "lists", "movement", "mpi", "progress")
FORMATS = ("pdf", "xlsx", "html")


def child(code: str, slug: str, fmt: str, year: int, prefix: str) -> dict:
    import cProfile
    import pstats

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povertyplan.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("HTTPS", "0")
    setup = cProfile.Profile()
    setup.enable()
    import django

    django.setup()
    import weasyprint  # noqa: F401  (as bench/reports_bench.py does before measuring)

    setup.disable()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from areas.models import Area
    from reports import registry
    from reports.render import render

    area = Area.objects.filter(code=code).order_by("-kind").first()
    spec = registry.spec(slug)
    item = cProfile.Profile()
    with CaptureQueriesContext(connection) as queries:
        item.enable()
        report = spec.build(area, year)
        out = render(report, fmt)
        item.disable()
    result = {"report": slug, "format": fmt, "bytes": len(out), "queries": len(queries)}
    for name, profile in (("setup", setup), ("item", item)):
        path = f"{prefix}-{slug}-{fmt}-{name}.prof"
        profile.dump_stats(path)
        result[f"{name}_calls"] = pstats.Stats(path).total_calls
    return result


def by_function(path: str) -> dict:
    import pstats

    counts: dict = {}
    for (filename, _line, name), (_cc, calls, *_rest) in pstats.Stats(path).stats.items():
        where = "/".join(Path(filename).parts[-2:]) if "/" in filename else filename
        if name.startswith("<built-in method __new__ of type object"):
            name = "<built-in method __new__>"  # the address differs between processes
        counts[(where, name)] = counts.get((where, name), 0) + calls
    return counts


def compare(before_path: str, after_path: str, top: int) -> None:
    before = json.loads(Path(before_path).read_text())
    after = json.loads(Path(after_path).read_text())
    print("| item | calls before | calls after | Δ | queries before / after |")
    print("|---|---:|---:|---:|---:|")
    totals = {"setup": [0, 0], "item": [0, 0]}
    pairs = list(zip(before["results"], after["results"], strict=True))
    for b, a in pairs:
        label = f"{b['report']} {b['format']}"
        for part in ("setup", "item"):
            totals[part][0] += b[f"{part}_calls"]
            totals[part][1] += a[f"{part}_calls"]
        x, y = b["item_calls"], a["item_calls"]
        queries = f"{b['queries']} / {a['queries']}"
        print(f"| {label} | {x:,} | {y:,} | {100 * (y - x) / x:+.2f} % | {queries} |")
    for part, (x, y) in totals.items():
        print(f"| **all 15, {part}** | {x:,} | {y:,} | {100 * (y - x) / x:+.2f} % | |")
    if not top:
        return
    for b, a in pairs[:1] + [p for p in pairs if p[0]["report"] == "progress"][:1]:
        for part in ("setup", "item"):
            x = by_function(f"{before['prefix']}-{b['report']}-{b['format']}-{part}.prof")
            y = by_function(f"{after['prefix']}-{a['report']}-{a['format']}-{part}.prof")
            rows = sorted(
                ((y.get(k, 0) - x.get(k, 0), k) for k in set(x) | set(y)),
                key=lambda r: -abs(r[0]),
            )
            print(f"\n{b['report']} {b['format']} {part}: the {top} largest differences")
            for diff, (where, name) in rows[:top]:
                if diff:
                    print(f"  {diff:+7d}  {where} {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--area", default="01090")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--output", default="bench/out/calls.json")
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--top", type=int, default=0)
    parser.add_argument("--child", nargs=3, metavar=("SLUG", "FORMAT", "PREFIX"))
    args = parser.parse_args()
    if args.compare:
        compare(*args.compare, args.top)
        return
    if args.child:
        print(json.dumps(child(args.area, *args.child[:2], args.year, args.child[2])))
        return
    output = Path(args.output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    prefix = str(output.with_suffix(""))
    results = []
    for slug in REPORTS:
        for fmt in FORMATS:
            done = subprocess.run(
                [sys.executable, __file__, "--area", args.area, "--year", str(args.year)]
                + ["--child", slug, fmt, prefix],
                capture_output=True,
                text=True,
                check=True,
            )
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(results[-1], file=sys.stderr)
    output.write_text(json.dumps({"prefix": prefix, "results": results}, indent=1))


if __name__ == "__main__":
    main()
