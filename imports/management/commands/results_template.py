"""python manage.py results_template --commune <code or name> --year YYYY --output F.xlsx
[--village <code or name>] [--user NAME]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from areas.models import Area
from households.models import Household
from imports.cli import commune_for, periodic_cycle, user_for
from imports.exports import assessment_template, template_households, template_scope


class Command(BaseCommand):
    help = (
        "Ghi tệp mẫu kết quả rà soát của đợt định kỳ, có sẵn các hộ trong danh sách của đợt "
        "(mã hộ, chủ hộ, thôn) và câu trả lời của lần rà soát đã chốt gần nhất."
    )

    def add_arguments(self, parser):
        parser.add_argument("--commune", required=True, help="Mã hoặc tên chính xác của xã")
        parser.add_argument("--year", required=True, type=int, help="Năm của đợt rà soát định kỳ")
        parser.add_argument("--output", required=True, help="Tệp .xlsx cần ghi")
        parser.add_argument("--village", help="Chỉ một thôn (mã hoặc tên chính xác)")
        parser.add_argument("--user", help="Chỉ các hộ người dùng này được xem (thôn/xã)")

    def handle(self, *args, commune, year, output, village, user, **options):
        try:
            place = commune_for(commune)
            cycle, person = periodic_cycle(place, year), user_for(user)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        households = Household.objects.filter(commune=place)
        if village:
            chosen = Area.objects.villages().filter(parent=place).lookup(village).first()
            if chosen is None:
                raise CommandError(
                    _("Không có thôn “%(village)s” trong %(commune)s.")
                    % {"village": village, "commune": place.name}
                )
            households = households.filter(village=chosen)
        if person is not None:
            households = households.filter(pk__in=template_scope(person, place).values("pk"))
        Path(output).write_bytes(assessment_template(cycle, households))
        rows = template_households(cycle, households).count()
        self.stdout.write(_("Đã ghi %(file)s: %(n)s hộ.") % {"file": output, "n": rows})
