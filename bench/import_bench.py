"""Benchmark of the Excel import: 50,000 household rows with about 200,000 members.

Measured on the database ``DATABASE_URL`` names (a dedicated one: the script empties the
registry tables of that database between runs):

- reading alone: openpyxl's own read-only ``iter_rows`` and the streaming reader the importer
  uses, over the same file;
- the dry run (``HouseholdImport.run(commit=False)``) and the commit (``run(commit=True)`` into
  an empty commune, through ``bulkregistry.registry_import`` with history), each the median of
  ``--runs`` runs, each run in a fresh process so that its peak memory (``ru_maxrss``) is its
  own; one more dry run under ``tracemalloc`` for the Python heap peak;
- on PostgreSQL, COPY of the same rows into the same two tables, as the upper limit of any
  writer (no checks, no history);
- the browser's two steps, each the median of ``--runs`` runs in fresh processes: the preview
  (a dry run that keeps its reading of the file, ``--keep``) and the confirm that starts from it
  (``--commit --reuse``: compare with the registry again, check the outcome is the previewed one,
  write);
- one more commit and one more confirm with their phases timed (``--parts``): reading the file,
  comparing, the writes (CSV building, the waits for the write thread, the history
  ``INSERT … SELECT``);
- the export of the imported commune and a dry run of that export (which must report every row
  unchanged).

The input file is written the way Excel writes one (shared strings, dates as date-formatted
serial numbers) and kept in ``bench/out/``. Not a test. Run from the repository root::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_cbench .venv/bin/python bench/import_bench.py
    DATABASE_URL=sqlite:///bench/out/import.sqlite3 .venv/bin/python bench/import_bench.py

Results are printed and written to ``bench/out/import-<vendor>.json`` (git-ignored); the figures
and the machine are in docs/benchmarks.md ("Excel import").
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povertyplan.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("HTTPS", "0")

PROVINCE, COMMUNE = ("98", "Tỉnh Đo Tải"), ("98001", "Xã Đo Tải")
VILLAGES = 40
FAMILY = ["Nguyễn", "Hoàng", "Nông", "Lục", "Triệu", "Bàn", "Lý", "Đặng", "Ma", "Lương", "Trần"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Xuân", "Hữu", "Thu", "Ngọc"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Lan", "Mai", "Hoa", "Thảo", "Yến", "Sơn"]
ETHNIC = ["Tày", "Kinh", "Dao", "Nùng", "Mông"]
H_HEADERS = [
    "Mã hộ",
    "Thôn",
    "Chủ hộ",
    "Địa chỉ",
    "Dân tộc",
    "Điện thoại",
    "Thành thị",
    "Diện tích nhà ở (m²)",
    "Chất lượng nhà ở",
    "Nguồn nước sinh hoạt",
    "Nhà tiêu",
    "Ra khỏi danh sách ngày",
]
M_HEADERS = [
    "Mã hộ",
    "Họ và tên",
    "Giới tính",
    "Ngày sinh",
    "Quan hệ với chủ hộ",
    "Số CCCD",
    "Dân tộc",
    "Có thẻ BHYT",
    "Học vấn",
    "Việc làm",
    "Khuyết tật",
]
MATERIAL = ["Kiên cố / bền chắc", "Bán kiên cố", "Không bền chắc"]
WATER = ["Nước máy", "Giếng khoan, giếng đào được bảo vệ, nước mưa", "Nguồn không hợp vệ sinh"]
LATRINE = ["Hợp vệ sinh", "Không hợp vệ sinh", "Không có"]
SCHOOLING = ["Đang đi học", "Tốt nghiệp THCS", "Tốt nghiệp tiểu học", "Tốt nghiệp THPT", ""]
WORK = ["Tự làm (nông nghiệp, kinh doanh)", "Làm công ăn lương không hợp đồng", ""]


def village_name(i: int) -> str:
    return f"Thôn Đo {i + 1:02d}"


# --- the input file, written as Excel writes one ---------------------------------------------


def generate_rows(households: int, seed: int = 4):
    """Yield ("h", row) and ("m", row) in file order; about 4 members per household."""
    rng = random.Random(seed)
    serial = 0
    reference = datetime.date(2024, 12, 14)
    for n in range(households):
        code = f"DT{n % VILLAGES + 1:02d}-{n:06d}"
        size = rng.choices([1, 2, 3, 4, 5, 6, 7, 8], [5, 10, 18, 26, 20, 12, 6, 3])[0]
        family = rng.choice(FAMILY)
        ethnicity = rng.choice(ETHNIC)
        names = [f"{family} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}" for _ in range(size)]
        yield (
            "h",
            [
                code,
                village_name(n % VILLAGES),
                names[0],
                village_name(n % VILLAGES),
                ethnicity,
                f"09{rng.randrange(10**8):08d}",
                "không",
                round(rng.uniform(12, 140), 1),
                rng.choice(MATERIAL),
                rng.choice(WATER),
                rng.choice(LATRINE),
                None,
            ],
        )
        for k in range(size):
            age = rng.randrange(25, 80) if k == 0 else rng.randrange(0, 70)
            born = reference - datetime.timedelta(days=age * 365 + rng.randrange(365))
            serial += 1
            yield (
                "m",
                [
                    code,
                    names[k],
                    rng.choice(["Nam", "Nữ"]),
                    born if serial % 2 else born.strftime("%d/%m/%Y"),  # Excel dates and text
                    "Chủ hộ" if k == 0 else rng.choice(["Con", "Vợ / chồng", "Bố / mẹ", "Cháu"]),
                    f"098{serial:09d}" if age >= 14 else "",
                    ethnicity,
                    rng.choice(["có", "có", "có", "không"]),
                    rng.choice(SCHOOLING),
                    rng.choice(WORK),
                    "không",
                ],
            )


def write_excel_like(path: Path, households: int) -> dict:
    """An .xlsx with a shared-strings table and date-formatted serial numbers, as Excel saves
    it (openpyxl writes inline strings instead, which are slower to read)."""
    strings: dict[str, int] = {}
    sheets = {"h": [], "m": []}
    counts = {"h": 0, "m": 0}

    def cell(ref: str, value) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, datetime.date):
            serial = (value - datetime.date(1899, 12, 30)).days
            return f'<c r="{ref}" s="1"><v>{serial}</v></c>'
        if isinstance(value, int | float):
            return f'<c r="{ref}"><v>{value}</v></c>'
        index = strings.setdefault(value, len(strings))
        return f'<c r="{ref}" t="s"><v>{index}</v></c>'

    def row(kind: str, values: list) -> None:
        counts[kind] += 1
        number = counts[kind]
        cells = "".join(cell(f"{chr(65 + i)}{number}", v) for i, v in enumerate(values))
        sheets[kind].append(f'<row r="{number}">{cells}</row>')

    row("h", H_HEADERS)
    row("m", M_HEADERS)
    for kind, values in generate_rows(households):
        row(kind, values)
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for i in (1, 2)
            )
            + '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {rel}><sheets>'
            '<sheet name="Hộ gia đình" sheetId="1" r:id="rId1"/>'
            '<sheet name="Thành viên" sheetId="2" r:id="rId2"/></sheets></workbook>',
        )
        base = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{base}worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{base}worksheet" Target="worksheets/sheet2.xml"/>'
            f'<Relationship Id="rId3" Type="{base}styles" Target="styles.xml"/>'
            f'<Relationship Id="rId4" Type="{base}sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/styles.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet {ns}>'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            '</cellStyleXfs><cellXfs count="2">'
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" '
            'applyNumberFormat="1"/></cellXfs></styleSheet>',
        )
        for i, kind in ((1, "h"), (2, "m")):
            width = len(H_HEADERS if kind == "h" else M_HEADERS)
            z.writestr(
                f"xl/worksheets/sheet{i}.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}>'
                f'<dimension ref="A1:{chr(64 + width)}{counts[kind]}"/><sheetData>'
                + "".join(sheets[kind])
                + "</sheetData></worksheet>",
            )
        z.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><sst {ns} uniqueCount="{len(strings)}">'
            + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
            + "</sst>",
        )
    return {"households": counts["h"] - 1, "members": counts["m"] - 1}


# --- phases, each run in its own process -----------------------------------------------------


def django_setup():
    import django

    django.setup()


def commune():
    from areas.models import Area

    return Area.objects.get(kind=Area.Kind.COMMUNE, code=COMMUNE[0], valid_to__isnull=True)


def empty_registry() -> None:
    """Remove every household of the bench database (it is a dedicated database)."""
    from django.db import connection

    tables = [
        "households_deprivation",
        "households_indicatoroverride",
        "households_historicalassessment",
        "households_assessment",
        "households_historicalmember",
        "households_member",
        "households_historicalhousehold",
        "households_household",
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE " + ", ".join(tables) + " CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
            cursor.execute("VACUUM")


def phase_setup(args) -> dict:
    from django.core.management import call_command

    from areas.models import Area

    call_command("migrate", verbosity=0)
    province, _ = Area.objects.get_or_create(
        kind=Area.Kind.PROVINCE, code=PROVINCE[0], defaults={"name": PROVINCE[1]}
    )
    place, _ = Area.objects.get_or_create(
        kind=Area.Kind.COMMUNE, code=COMMUNE[0], defaults={"name": COMMUNE[1], "parent": province}
    )
    for i in range(VILLAGES):
        Area.objects.get_or_create(kind=Area.Kind.VILLAGE, parent=place, name=village_name(i))
    empty_registry()
    return {}


def phase_read(args) -> dict:
    """Reading alone: openpyxl's own cells, then the importer's streaming reader."""
    import openpyxl

    from imports.reader import open_workbook

    result = {}
    started = time.process_time()
    wb = openpyxl.load_workbook(args.file, read_only=True)
    rows = sum(1 for ws in wb.worksheets for _row in ws.iter_rows(values_only=True))
    wb.close()
    result["openpyxl_iter_rows_cpu_s"] = time.process_time() - started
    for fast, key in ((False, "xml_parser_cpu_s"), (True, "streaming_reader_cpu_s")):
        started = time.process_time()
        book = open_workbook(args.file)
        ours = sum(1 for name in book.sheet_names for _row in book.rows(name, fast=fast))
        book.close()
        result[key] = time.process_time() - started
        assert ours == rows, (ours, rows)
    return {"rows": rows, **result}


def _time_parts() -> dict:
    """Wall-clock seconds spent in the importer's phases and the writer's database calls, by
    wrapping them (one extra run; the wrappers cost microseconds per call)."""
    from households import copywriter, summary
    from imports import registry

    spent: dict[str, float] = {}

    def timed(owner, name, label):
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - started

        setattr(owner, name, wrapper)

    timed(registry.HouseholdImport, "read_file", "read (the file's rows, checked)")
    timed(registry.HouseholdImport, "compare", "compare (with the registry)")
    timed(registry.HouseholdImport, "write", "write (all of it)")
    timed(copywriter, "_csv_buffer", "write: CSV for COPY (in the importing thread)")
    timed(copywriter, "_history_of_batch", "write thread: history INSERT ... SELECT")
    timed(copywriter._Pipeline, "submit", "write: waiting for the write thread (queue full)")
    timed(copywriter._Pipeline, "__exit__", "write: waiting for the write thread to finish")
    timed(summary, "refresh", "write: summary counts of the commune's villages")
    return spent


def phase_import(args) -> dict:
    from imports.registry import HouseholdImport

    tracing = args.trace
    if tracing:
        import tracemalloc

        tracemalloc.start()
    parts = _time_parts() if args.parts else None
    kept = OUT / "import-bench.reading"
    options = {"commit": args.commit}
    if args.keep:
        kept.unlink(missing_ok=True)
        options["keep"] = kept
    if args.reuse:  # the browser's confirm after a --keep run (the preview)
        options["reuse"] = kept.read_bytes()
        options["expect"] = json.loads((OUT / "import-bench.outcome").read_text())
    started, cpu = time.perf_counter(), time.process_time()
    report = HouseholdImport(commune=commune(), source=args.file).run(**options)
    seconds = time.perf_counter() - started
    assert report.ok, report.lines()[:20]
    assert report.committed == args.commit, "the outcome differed from the preview's"
    assert report.reused_reading == bool(args.reuse)
    if args.keep:
        (OUT / "import-bench.outcome").write_text(json.dumps(report.outcome()))
    result = {
        "seconds": seconds,
        "client_cpu_seconds": time.process_time() - cpu,
        "counts": report.counts,
        "members": report.member_counts,
        "committed": report.committed,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if args.keep:
        result["kept_mb"] = kept.stat().st_size / 2**20
    if tracing:
        result["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    if parts is not None:
        result["parts_s"] = parts
    if args.commit:
        from households.models import Household, Member

        result["stored"] = {
            "households": Household.objects.count(),
            "members": Member.objects.count(),
            "household_history": Household.history.count(),
        }
    return result


def phase_copy(args) -> dict:
    """COPY of the same rows into the same tables: the upper limit of a writer."""
    import io

    from django.db import connection, transaction

    from imports.registry import HouseholdImport

    place = commune()
    job = HouseholdImport(commune=place, source=args.file)
    assert job.run(commit=False).ok
    villages = {v.pk: v for v in place.children.all()}
    assert villages
    now = datetime.datetime.now(datetime.UTC).isoformat()
    households, members = io.StringIO(), io.StringIO()
    rows = job.plan_new
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval('households_household_id_seq') FROM generate_series(1, %s)",
            [len(rows)],
        )
        ids = [r[0] for r in cursor.fetchall()]

    def text(value):
        if value is None:
            return r"\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    from households.bulkregistry import HOUSEHOLD_IMPORT_FIELDS, MEMBER_IMPORT_FIELDS

    h_columns = list(HOUSEHOLD_IMPORT_FIELDS)
    m_columns = list(MEMBER_IMPORT_FIELDS)
    member_count = 0
    for pk, row in zip(ids, rows, strict=True):
        values = [row.values.get(c, "") for c in h_columns]
        households.write(
            "\t".join(
                text(v) for v in [pk, place.pk, row.village.pk, *values, False, "", "", 1, now, now]
            )
            + "\n"
        )
        for member in row.members:
            member_count += 1
            members.write("\t".join(text(v) for v in [pk, *member.values]) + "\n")
    households.seek(0)
    members.seek(0)
    started = time.perf_counter()  # the COPY statements only, not building the rows
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        raw.copy_expert(
            "COPY households_household (id, commune_id, village_id, "
            + ", ".join(h_columns)
            + ", is_sample, search_text, head_sort, version, created_at, updated_at) FROM STDIN",
            households,
        )
        raw.copy_expert(
            "COPY households_member (household_id, " + ", ".join(m_columns) + ") FROM STDIN",
            members,
        )
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "households": len(rows), "members": member_count}


def phase_export(args) -> dict:
    from households.models import Household
    from imports.exports import households_workbook
    from imports.registry import HouseholdImport

    place = commune()
    started = time.perf_counter()
    content = households_workbook(Household.objects.filter(commune=place))
    export_seconds = time.perf_counter() - started
    path = OUT / "import-export-roundtrip.xlsx"
    path.write_bytes(content)
    started = time.perf_counter()
    report = HouseholdImport(commune=place, source=path).run(commit=False)
    return {
        "export_seconds": export_seconds,
        "export_mb": len(content) / 2**20,
        "reimport_dry_run_seconds": time.perf_counter() - started,
        "reimport_counts": report.counts,
        "reimport_members": report.member_counts,
        "ok": report.ok,
    }


PHASES = {
    "setup": phase_setup,
    "read": phase_read,
    "import": phase_import,
    "copy": phase_copy,
    "export": phase_export,
    "empty": lambda args: empty_registry() or {},
}


def run_phase(name: str, args, *extra: str) -> dict:
    command = [sys.executable, __file__, "--phase", name, "--file", str(args.file), *extra]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"phase {name} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--phase", choices=sorted(PHASES))
    parser.add_argument("--file", type=Path)
    parser.add_argument("--commit", action="store_true")
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--parts", action="store_true", help="time the phases of one run")
    parser.add_argument("--keep", action="store_true", help="keep the reading (the preview)")
    parser.add_argument("--reuse", action="store_true", help="start from the kept reading")
    args = parser.parse_args()
    if args.phase:
        django_setup()
        print(json.dumps(PHASES[args.phase](args)))
        return

    OUT.mkdir(parents=True, exist_ok=True)
    args.file = args.file or OUT / f"import-{args.households}.xlsx"
    shape = None
    if not args.file.exists():
        started = time.perf_counter()
        shape = write_excel_like(args.file, args.households)
        print(f"wrote {args.file} in {time.perf_counter() - started:.0f} s: {shape}")
    django_setup()
    from django.db import connection

    vendor = connection.vendor
    results: dict = {"machine": machine(), "vendor": vendor, "file": str(args.file)}
    results["file_mb"] = args.file.stat().st_size / 2**20
    run_phase("setup", args)
    results["read"] = [run_phase("read", args) for _ in range(args.runs)]
    dry = [run_phase("import", args) for _ in range(args.runs)]
    results["dry_run"] = dry
    results["dry_run_traced"] = run_phase("import", args, "--trace")
    commits = []
    for _ in range(args.runs):
        run_phase("empty", args)
        commits.append(run_phase("import", args, "--commit"))
    results["commit"] = commits
    # The browser's two steps: the preview keeps its reading, the confirm starts from it.
    previews, confirms = [], []
    for _ in range(args.runs):
        run_phase("empty", args)
        previews.append(run_phase("import", args, "--keep"))
        confirms.append(run_phase("import", args, "--commit", "--reuse"))
    results["preview"], results["confirm"] = previews, confirms
    run_phase("empty", args)
    results["commit_parts"] = run_phase("import", args, "--commit", "--parts")
    run_phase("empty", args)
    run_phase("import", args, "--keep")
    results["confirm_parts"] = run_phase("import", args, "--commit", "--reuse", "--parts")
    if vendor == "postgresql":
        copies = []
        for _ in range(args.runs):
            run_phase("empty", args)
            copies.append(run_phase("copy", args))
        results["copy"] = copies
        run_phase("empty", args)
        run_phase("import", args, "--commit")
    results["export"] = run_phase("export", args)

    households = dry[0]["counts"]["new"]
    members = dry[0]["members"]["new"]

    def median(items, key):
        return statistics.median(i[key] for i in items)

    summary = {
        "households": households,
        "members": members,
        "read_openpyxl_cpu_s": median(results["read"], "openpyxl_iter_rows_cpu_s"),
        "read_xml_parser_cpu_s": median(results["read"], "xml_parser_cpu_s"),
        "read_streaming_cpu_s": median(results["read"], "streaming_reader_cpu_s"),
        "dry_run_s": median(dry, "seconds"),
        "dry_run_client_cpu_s": median(dry, "client_cpu_seconds"),
        "dry_run_rows_per_s": households / median(dry, "seconds"),
        "dry_run_peak_rss_mb": max(d["peak_rss_mb"] for d in dry),
        "dry_run_tracemalloc_peak_mb": results["dry_run_traced"]["tracemalloc_peak_mb"],
        "commit_s": median(commits, "seconds"),
        "commit_client_cpu_s": median(commits, "client_cpu_seconds"),
        "commit_rows_per_s": households / median(commits, "seconds"),
        "commit_peak_rss_mb": max(c["peak_rss_mb"] for c in commits),
        "preview_s": median(previews, "seconds"),
        "preview_rows_per_s": households / median(previews, "seconds"),
        "preview_kept_mb": median(previews, "kept_mb"),
        "preview_peak_rss_mb": max(p["peak_rss_mb"] for p in previews),
        "confirm_s": median(confirms, "seconds"),
        "confirm_client_cpu_s": median(confirms, "client_cpu_seconds"),
        "confirm_rows_per_s": households / median(confirms, "seconds"),
        "confirm_peak_rss_mb": max(c["peak_rss_mb"] for c in confirms),
    }
    if vendor == "postgresql":
        summary["copy_s"] = median(results["copy"], "seconds")
        summary["copy_rows_per_s"] = households / summary["copy_s"]
    parted = results["commit_parts"]
    summary["commit_parts_s"] = {
        **parted["parts_s"],
        "total (this run)": parted["seconds"],
        "rest: opening, the transaction's commit": parted["seconds"]
        - parted["parts_s"]["read (the file's rows, checked)"]
        - parted["parts_s"]["compare (with the registry)"]
        - parted["parts_s"]["write (all of it)"],
    }
    parted = results["confirm_parts"]
    summary["confirm_parts_s"] = {
        **parted["parts_s"],
        "total (this run)": parted["seconds"],
        "rest: the kept reading, the transaction's commit": parted["seconds"]
        - parted["parts_s"]["compare (with the registry)"]
        - parted["parts_s"]["write (all of it)"],
    }
    summary["export_s"] = results["export"]["export_seconds"]
    summary["reimport_dry_run_s"] = results["export"]["reimport_dry_run_seconds"]
    summary["reimport_of_export"] = results["export"]["reimport_counts"]
    results["summary"] = summary
    results["machine"]["load_average_at_end"] = os.getloadavg()
    path = OUT / f"import-{vendor}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    for key, value in summary.items():
        if isinstance(value, dict):
            value = {k: round(v, 2) if isinstance(v, float) else v for k, v in value.items()}
        print(f"{key:30} {value:,.1f}" if isinstance(value, float) else f"{key:30} {value}")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
