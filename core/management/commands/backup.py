"""python manage.py backup [--output FOLDER_OR_FILE.tar] [--keep N]

Writes the database and the uploaded files into one archive (core/backup.py) and prints its path,
so a cron job or systemd timer can copy it off the server (docs/deployment.md)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_create, backups_prune


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu và các tệp tải lên vào một tệp .tar."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="Thư mục (hoặc tệp .tar) để ghi; mặc định: BACKUP_DIR",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            help="Sau khi ghi, chỉ giữ N bản mới nhất trong thư mục (0: giữ tất cả)",
        )

    def handle(self, *args, output, keep, **options):
        output = output or Path(settings.BACKUP_DIR)
        try:
            path, manifest = backup_create(output=output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        files = len(manifest["parts"]) - 1
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Đã sao lưu {manifest['engine']} “{manifest['database']}”: "
            f"{len(manifest['tables'])} bảng, {rows} dòng, {files} tệp tải lên."
        )
        if keep:
            for old in backups_prune(path.parent, keep):
                self.stdout.write(f"Đã xóa bản cũ: {old}")
        self.stdout.write(str(path))
