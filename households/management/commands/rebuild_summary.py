"""python manage.py rebuild_summary [--area CODE]: recompute the summary counts
(households/summary.py) from the registry and the results, in one transaction."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from areas.models import Area
from core.formatting import format_int
from households import summary


class Command(BaseCommand):
    help = (
        "Tính lại bảng số liệu tổng hợp (số hộ theo thôn, năm, phân loại và chỉ số) từ sổ theo "
        "dõi và kết quả rà soát, cho cả nước hoặc một địa bàn."
    )

    def add_arguments(self, parser):
        parser.add_argument("--area", help="Mã địa bàn (tỉnh, huyện, xã); bỏ trống: cả nước")

    def handle(self, *args, area=None, **options):
        target = None
        if area:
            found = list(Area.objects.filter(code=area)[:2])
            if len(found) != 1:
                raise CommandError(
                    _("Không tìm thấy địa bàn mã %(code)s.") % {"code": area}
                    if not found
                    else _("Có nhiều địa bàn mang mã %(code)s.") % {"code": area}
                )
            target = found[0]
        with transaction.atomic():
            done = summary.rebuild(target)
        self.stdout.write(
            _(
                "Đã tính lại số liệu tổng hợp của %(area)s: %(villages)s địa bàn, %(rows)s dòng, "
                "%(seconds).1f giây."
            )
            % {
                "area": target.name if target else _("cả nước"),
                "villages": format_int(done["villages"]),
                "rows": format_int(done.get("counts", 0) + done.get("indicators", 0)),
                "seconds": done["seconds"],
            }
        )
