"""python manage.py import_households FILE --commune <code or name> [--dry-run] [--user NAME]"""

from django.core.management.base import BaseCommand, CommandError

from imports.cli import commune_for, print_report, user_for
from imports.registry import HouseholdImport


class Command(BaseCommand):
    help = (
        "Nhập danh sách hộ gia đình và thành viên của một xã từ tệp Excel (.xlsx). Có dòng lỗi "
        "thì không ghi gì và thoát với mã khác 0."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp .xlsx theo mẫu (trang Hộ gia đình, Thành viên)")
        parser.add_argument("--commune", required=True, help="Mã hoặc tên chính xác của xã")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi")
        parser.add_argument("--user", help="Nhập với quyền của người dùng này (phạm vi thôn/xã)")

    def handle(self, *args, file, commune, dry_run, user, **options):
        try:
            place, importer = commune_for(commune), user_for(user)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        job = HouseholdImport(commune=place, user=importer, source=file)
        print_report(self, job.run(commit=not dry_run), dry_run=dry_run)
