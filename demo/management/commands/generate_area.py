"""python manage.py generate_area --households 200000 [--province-code 99] [--year 2023] [--seed N]
[--level province|district] [--no-districts] [--workers N] [--resume]"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from demo.generator import LEVELS, generate_area
from households.models import Assessment


class Command(BaseCommand):
    help = (
        "Sinh một địa bàn tổng hợp (dữ liệu mẫu) để đo hiệu năng: một tỉnh (mặc định) hoặc một "
        "huyện, với hộ, thành viên và kết quả rà soát định kỳ. Cùng seed cho cùng dữ liệu; từ "
        "chối nếu mã tỉnh đã có."
    )

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, required=True, help="Tổng số hộ cần sinh")
        parser.add_argument("--province-code", default="99", help="Mã tỉnh, 2 chữ số (mặc định 99)")
        parser.add_argument("--year", type=int, default=2023, help="Năm rà soát định kỳ")
        parser.add_argument("--seed", type=int, default=1, help="Hạt giống ngẫu nhiên")
        parser.add_argument("--level", choices=LEVELS, default="province", help="Cấp địa bàn")
        parser.add_argument(
            "--no-districts",
            action="store_true",
            help="Xã đặt trực tiếp dưới tỉnh (không có cấp huyện, như sau 1/7/2025)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Số tiến trình ghi song song (chỉ PostgreSQL; khi > 1 mỗi xã là một giao dịch)",
        )
        parser.add_argument(
            "--resume",
            action="store_true",
            help="Ghi nốt các xã còn thiếu của một lần chạy bị dừng (cùng tham số)",
        )

    def handle(self, *args, **options):
        try:
            result = generate_area(
                households=options["households"],
                province_code=options["province_code"],
                year=options["year"],
                seed=options["seed"],
                level=options["level"],
                with_districts=not options["no_districts"],
                workers=options["workers"],
                resume=options["resume"],
                log=self.stdout.write,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        area = result.area
        self.stdout.write(
            f"Đã tạo {area.name} (mã {area.code}): {result.districts} huyện, {result.communes} xã, "
            f"{result.villages} thôn, {result.households} hộ, {result.members} thành viên, "
            f"rà soát {options['year']} trong {result.seconds:.1f} giây."
        )
        for klass, label in Assessment.CLASS_CHOICES:
            n = result.classes.get(klass, 0)
            share = 100 * n / result.households if result.households else 0
            self.stdout.write(f"  {label:<28} {n:>8} hộ ({share:.2f} %)")
