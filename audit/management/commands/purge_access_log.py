"""Delete access-log entries older than the retention (settings.AUDIT_RETENTION_DAYS); run daily
from cron (docs/deployment.md)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from audit.services import access_log_purge


class Command(BaseCommand):
    help = "Xóa các mục nhật ký truy cập cũ hơn thời hạn lưu (AUDIT_RETENTION_DAYS)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, help="Số ngày lưu (mặc định: AUDIT_RETENTION_DAYS)."
        )

    def handle(self, *args, days=None, **options):
        if days is not None and days < 0:
            raise CommandError(_("--days phải là số không âm."))
        deleted = access_log_purge(days=days)
        self.stdout.write(_("Đã xóa %(n)s mục nhật ký truy cập.") % {"n": deleted})
