"""python manage.py load_demo_projects [--commune 01090]"""

from django.core.management.base import BaseCommand, CommandError

from areas.models import Area
from demo.projects import load_projects_demo

DEMO_COMMUNE = "01090"  # Xã Vĩnh Hảo in fixtures/demo_vinh_hao.json


class Command(BaseCommand):
    help = (
        "Nạp dự án, tiểu dự án, căn cứ pháp lý, phân công, nhiệm vụ và kinh phí năm 2024 của "
        "xã mẫu Vĩnh Hảo (Kế hoạch 193/KH-UBND), kèm hoạt động và người thụ hưởng mẫu. "
        "Chạy lại an toàn."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--commune",
            default=DEMO_COMMUNE,
            help="Mã hoặc tên chính xác của xã (mặc định: Vĩnh Hảo)",
        )

    def handle(self, *args, commune, **options):
        matches = list(Area.objects.communes().lookup(commune)[:2])
        if len(matches) != 1:
            raise CommandError(
                f"Không xác định được xã “{commune}”. Hãy chạy `manage.py load_demo` trước, "
                "hoặc dùng mã xã."
            )
        load_projects_demo(matches[0], log=self.stdout.write)
