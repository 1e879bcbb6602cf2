"""python manage.py import_assessments FILE --commune <code or name> --year YYYY [--dry-run]"""

from django.core.management.base import BaseCommand, CommandError

from imports.cli import commune_for, periodic_cycle, print_report, user_for
from imports.results import AssessmentImport


class Command(BaseCommand):
    help = (
        "Nhập kết quả rà soát định kỳ của một xã trong một năm từ tệp Excel (.xlsx). Có dòng lỗi "
        "thì không ghi gì và thoát với mã khác 0."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp .xlsx theo mẫu (trang Kết quả rà soát)")
        parser.add_argument("--commune", required=True, help="Mã hoặc tên chính xác của xã")
        parser.add_argument("--year", required=True, type=int, help="Năm của đợt rà soát định kỳ")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi")
        parser.add_argument("--user", help="Nhập với quyền của người dùng này (phạm vi thôn/xã)")

    def handle(self, *args, file, commune, year, dry_run, user, **options):
        try:
            cycle, importer = periodic_cycle(commune_for(commune), year), user_for(user)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        job = AssessmentImport(cycle=cycle, user=importer, source=file)
        print_report(self, job.run(commit=not dry_run), dry_run=dry_run)
