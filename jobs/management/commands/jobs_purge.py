"""python manage.py jobs_purge [--days N]: remove the result files of jobs finished more than
``JOBS_KEEP_DAYS`` days ago, and their parameters (run daily from cron, docs/deployment.md);
the jobs stay listed."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from jobs import services


class Command(BaseCommand):
    help = "Xoá tệp kết quả của các việc nền đã xong từ lâu."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int)

    def handle(self, *args, days, **options):
        count = services.jobs_purge(days=days)
        self.stdout.write(_("Đã xoá %(count)s tệp kết quả.") % {"count": count})
