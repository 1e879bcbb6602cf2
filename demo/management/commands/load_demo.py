from django.core.management.base import BaseCommand

from demo.commune import load_demo, load_spec


class Command(BaseCommand):
    help = "Nạp xã mẫu Vĩnh Hảo (dữ liệu mẫu) và tài khoản mẫu cho mỗi vai trò. Chạy lại an toàn."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Xóa và tạo lại dữ liệu mẫu")

    def handle(self, *args, reset, **options):
        result = load_demo(reset=reset, log=self.stdout.write)
        from demo.projects import load_projects_demo

        load_projects_demo(result["commune"], log=self.stdout.write)
        from demo.exits import load_exits_demo

        load_exits_demo(result["commune"], log=self.stdout.write)
        if result["already_loaded"]:
            self.stdout.write("Dữ liệu mẫu Vĩnh Hảo đã có sẵn; không tạo lại.")
        password = load_spec()["password"]
        self.stdout.write(f"Tài khoản mẫu (mật khẩu: {password}):")
        for username, role, area in result["users"]:
            self.stdout.write(f"  {username:<16} {role:<8} {area}")
