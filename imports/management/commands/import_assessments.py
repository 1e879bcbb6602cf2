"""python manage.py import_assessments FILE --commune <code or name> --year YYYY [--dry-run]
[--valid-only] [--accept-warnings] [--rejected OUT.xlsx] [--user NAME]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.formatting import format_int
from imports.cli import commune_for, periodic_cycle, print_report, user_for
from imports.exports import rejected_workbook
from imports.results import AssessmentImport


class Command(BaseCommand):
    help = (
        "Nhập kết quả rà soát định kỳ của một xã trong một năm từ tệp Excel (.xlsx). Có dòng lỗi "
        "thì không ghi gì và thoát với mã khác 0, trừ khi chọn --valid-only."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp .xlsx theo mẫu (trang Kết quả rà soát)")
        parser.add_argument("--commune", required=True, help="Mã hoặc tên chính xác của xã")
        parser.add_argument("--year", required=True, type=int, help="Năm của đợt rà soát định kỳ")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Chỉ kiểm tra, không ghi; liệt kê từng dòng sẽ ghi và các trường đổi (cũ → mới)",
        )
        parser.add_argument("--user", help="Nhập với quyền của người dùng này (phạm vi thôn/xã)")
        parser.add_argument(
            "--valid-only",
            action="store_true",
            help="Ghi các dòng hợp lệ, bỏ qua các dòng lỗi (mặc định: có lỗi thì không ghi gì)",
        )
        parser.add_argument(
            "--accept-warnings",
            action="store_true",
            help="Ghi cả các dòng có cảnh báo (thu nhập khác thường…) sau khi đã kiểm tra",
        )
        parser.add_argument(
            "--rejected",
            metavar="OUT.xlsx",
            help="Ghi các dòng lỗi (cùng cột với tệp mẫu và một cột lý do) vào tệp này",
        )

    def handle(self, *args, file, commune, year, dry_run, user, **options):
        try:
            cycle, importer = periodic_cycle(commune_for(commune), year), user_for(user)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        job = AssessmentImport(cycle=cycle, user=importer, source=file)
        report = job.run(
            commit=not dry_run,
            valid_only=options["valid_only"],
            accept_warnings=options["accept_warnings"],
        )
        out = options["rejected"]
        if out and report.issues and not report.file_error:
            Path(out).write_bytes(rejected_workbook(cycle, file, job.sheet, report.rejected_rows()))
            self.stderr.write(
                _("Đã ghi các dòng lỗi vào %(file)s: %(n)s dòng.")
                % {"file": out, "n": format_int(len(report.rejected_rows()))}
            )
        print_report(self, report, dry_run=dry_run)
