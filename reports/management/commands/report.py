"""python manage.py report <slug> --area <code or exact name> --year 2023 --format pdf

Without ``--year`` it takes the latest year whose figures are official (the review finalised),
as the report page does; provisional figures are marked in the file and said on stderr.

With ``--all-below`` it writes one file per commune under the area into the folder ``--output``,
or into one zip with ``--zip FILE`` (what the report page's batch job makes), and shows a
progress bar; communes whose report cannot be built are listed (in the zip: khong-lap-duoc.txt).
``--option since=2022`` passes a report's extra parameter.

The command acts as the system (``areas.scoping.SYSTEM``): whoever runs it on the server reads
every area, so it asks no ``can()``; the personal reports it writes are not logged per user."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from areas.models import Area
from jobs.registry import JobError
from reports import jobs as batches
from reports import registry
from reports.render import BINARY, FORMATS, render

SHELL_FORMATS = FORMATS


def resolve_area(term: str) -> Area:
    matches = list(Area.objects.lookup(term)[:5])
    if not matches:
        raise CommandError(f"Không tìm thấy địa bàn “{term}” (theo mã hoặc tên chính xác).")
    if len(matches) > 1:
        listed = "; ".join(
            f"{a.name} ({a.get_kind_display()}, mã {a.code or '–'})" for a in matches
        )
        raise CommandError(f"“{term}” khớp nhiều địa bàn: {listed}. Hãy dùng mã.")
    return matches[0]


def progress_bar(done: int, total: int, label: str, width: int = 30) -> str:
    filled = int(width * done / total) if total else width
    return f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label[:40]:<40}"


def default_year(spec, area: Area) -> int:
    """The report year of the latest official figures of ``area`` (the latest provisional ones
    before any review is finalised), as the report page opens on."""
    latest = registry.latest_year(area)
    if latest is None:
        raise CommandError(f"{area.name} chưa có kết quả rà soát định kỳ nào; hãy ghi --year.")
    return spec.report_year(latest)


class Command(BaseCommand):
    help = "Lập một báo cáo cho một địa bàn và một năm (HTML, PDF, XLSX, CSV hoặc JSON)."

    def add_arguments(self, parser):
        parser.add_argument("slug", choices=sorted(registry.REPORTS))
        parser.add_argument("--area", required=True, help="Mã hoặc tên chính xác của địa bàn")
        parser.add_argument(
            "--year",
            type=int,
            help="Mặc định: năm mới nhất có số liệu chính thức (đợt rà soát đã chốt)",
        )
        parser.add_argument("--format", default="csv", choices=SHELL_FORMATS)
        parser.add_argument(
            "--output", help="Tệp cần ghi (hoặc thư mục, với --all-below); mặc định: màn hình"
        )
        parser.add_argument(
            "--all-below",
            action="store_true",
            help="Một tệp cho mỗi xã thuộc địa bàn, ghi vào thư mục --output hoặc một tệp --zip",
        )
        parser.add_argument(
            "--zip",
            dest="zip_path",
            metavar="TỆP.zip",
            help="Với --all-below: ghi mọi tệp vào một tệp zip (như nút lập hàng loạt trên web)",
        )
        parser.add_argument(
            "--option",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="Tham số riêng của báo cáo, ví dụ since=2022 (movement)",
        )

    def handle(
        self, *args, slug, area, year, format, output, all_below, zip_path, option, **options
    ):
        spec = registry.spec(slug)
        extra = {}
        for item in option:
            key, sep, value = item.partition("=")
            if not sep or key not in spec.options:
                allowed = ", ".join(spec.options) or "không có"
                raise CommandError(f"Tham số “{item}” không hợp lệ (báo cáo này nhận: {allowed}).")
            extra[key] = value
        place = resolve_area(area)
        if all_below:
            return self.write_all_below(spec, place, year, format, output, zip_path, extra)
        if zip_path:
            raise CommandError(_("--zip chỉ dùng với --all-below."))
        year = year or default_year(spec, place)
        try:
            report = registry.build(spec, place, year, **extra)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if report.provisional_note:
            self.stderr.write(f"Năm {year}: {report.provisional_note}.")
        content = render(report, format)
        if output:
            self.write(Path(output), content)
            self.stderr.write(f"Đã ghi {output}")
        elif format in BINARY:
            raise CommandError(f"Định dạng {format} cần --output TỆP.")
        else:
            self.stdout.write(content, ending="")

    @staticmethod
    def write(path: Path, content) -> None:
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    def write_all_below(self, spec, place, year, fmt, output, zip_path, extra) -> None:
        """One file per commune under ``place`` (``reports.jobs.batch``, the function the
        report page's batch job runs too): into the folder ``output``, or one zip ``zip_path``."""
        if not output and not zip_path:
            raise CommandError(_("--all-below cần --output THƯ_MỤC hoặc --zip TỆP.zip."))
        if output and zip_path:
            raise CommandError(_("Chỉ ghi một trong hai: --output THƯ_MỤC hoặc --zip TỆP.zip."))
        tty = sys.stderr.isatty()

        def progress(done: int, total: int, step: str = "") -> None:
            self.stderr.write(progress_bar(done, total, step), ending="" if tty else "\n")

        started = time.monotonic()
        try:
            if zip_path:
                content, outcome = batches.batch_zip(
                    spec, place, year=year, fmt=fmt, extra=extra, progress=progress
                )
                Path(zip_path).write_bytes(content)
                target = zip_path
            else:
                folder = Path(output)
                folder.mkdir(parents=True, exist_ok=True)
                outcome = batches.batch(
                    spec,
                    place,
                    year=year,
                    fmt=fmt,
                    extra=extra,
                    progress=progress,
                    write=lambda name, content: self.write(folder / name, content),
                )
                target = folder
        except JobError as exc:
            raise CommandError(exc.message) from exc
        if tty:
            self.stderr.write("")
        seconds = time.monotonic() - started
        self.stderr.write(
            _("Đã ghi %(count)s tệp vào %(target)s trong %(seconds)s giây.")
            % {"count": len(outcome.written), "target": target, "seconds": f"{seconds:.1f}"}
        )
        for line in outcome.skipped:
            self.stderr.write(_("Bỏ qua %(line)s") % {"line": line})
