"""python manage.py report baseline --area <code or exact name> --year 2023 --format csv|json"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from areas.models import Area
from reports import registry
from reports.render import render

SHELL_FORMATS = ("csv", "json", "html")


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


class Command(BaseCommand):
    help = "Lập một báo cáo cho một địa bàn và một năm (CSV, JSON hoặc HTML)."

    def add_arguments(self, parser):
        parser.add_argument("slug", choices=sorted(registry.REPORTS))
        parser.add_argument("--area", required=True, help="Mã hoặc tên chính xác của địa bàn")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--format", default="csv", choices=SHELL_FORMATS)
        parser.add_argument("--output", help="Ghi ra tệp thay vì màn hình")

    def handle(self, *args, slug, area, year, format, output, **options):
        place = resolve_area(area)
        try:
            report = registry.REPORTS[slug](place, year)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        text = render(report, format)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Đã ghi {output}")
        else:
            self.stdout.write(text, ending="")
