"""python manage.py restore ARCHIVE.tar [--yes]

Replaces the configured database and the upload folders with an archive made by ``backup``,
after checking its engine, its migrations and every checksum (core/backup.py). Stop the web
server and the workers first."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from core.backup import BackupError, backup_restore, other_sessions


class Command(BaseCommand):
    help = "Khôi phục cơ sở dữ liệu và các tệp tải lên từ một bản sao lưu (thay dữ liệu hiện có)."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="Tệp .tar do lệnh backup tạo")
        parser.add_argument(
            "--yes", action="store_true", help="Không hỏi xác nhận (cho kịch bản, CI)"
        )

    def handle(self, *args, archive, yes, **options):
        try:
            result = backup_restore(archive, confirm=lambda m: self.confirm(m, yes))
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Đã khôi phục bản sao lưu lúc {manifest['created']} vào "
            f"{manifest['engine']} “{connections['default'].settings_dict['NAME']}”: "
            f"{result.tables} bảng, {rows} dòng, số dòng từng bảng khớp với bản sao lưu."
        )
        for name, count in result.files.items():
            self.stdout.write(f"Thư mục {name}: {count} tệp.")
        for name, count in result.external.items():
            self.stdout.write(
                f"Kho {name} nằm ngoài máy chủ (bucket): giữ nguyên, không khôi phục "
                f"{count} tệp của bản sao lưu vào đó."
            )
        if result.missing_migrations:
            self.stdout.write(
                f"Bản sao lưu thiếu {len(result.missing_migrations)} migration của mã này: "
                "chạy “python manage.py migrate”."
            )

    def confirm(self, manifest: dict, yes: bool) -> bool:
        name = connections["default"].settings_dict["NAME"]
        sessions = other_sessions()
        if sessions:
            self.stdout.write(
                f"Còn {sessions} kết nối khác tới “{name}”; nếu chúng giữ bảng, việc khôi phục "
                f"sẽ dừng sau {settings.BACKUP_RESTORE_LOCK_TIMEOUT} giây và không thay đổi gì."
            )
        if yes:
            return True
        self.stdout.write(
            f"Sẽ XÓA dữ liệu hiện có của “{name}” và các thư mục tải lên, thay bằng bản sao lưu "
            f"lúc {manifest['created']}. Hãy dừng máy chủ web và các worker trước."
        )
        try:
            answer = input("Gõ “yes” để tiếp tục: ")
        except EOFError:
            return False
        return answer.strip().lower() == "yes"
