"""python manage.py jobs_retry <id> [<id> ...] [--stale]

Queue failed or interrupted jobs again (as the "Chạy lại" button does); ``--stale`` takes every
running job whose heartbeat stopped (its worker died) and was not redelivered by the broker."""

from django.core.management.base import BaseCommand, CommandError

from jobs import services
from jobs.models import Job


class Command(BaseCommand):
    help = "Cho chạy lại các việc nền bị lỗi hoặc bị gián đoạn."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int)
        parser.add_argument(
            "--stale", action="store_true", help="Mọi việc đang chạy mà đã mất tín hiệu"
        )

    def handle(self, *args, ids, stale, **options):
        jobs = list(Job.objects.filter(pk__in=ids))
        missing = set(ids) - {job.pk for job in jobs}
        if missing:
            raise CommandError(f"Không có việc số {', '.join(map(str, sorted(missing)))}.")
        if stale:
            jobs += list(Job.objects.stale())
        if not jobs:
            raise CommandError("Hãy ghi số việc, hoặc --stale.")
        for job in jobs:
            if services.retry(job):
                self.stdout.write(f"Việc {job.pk} ({job}): đã cho chạy lại.")
            else:
                self.stdout.write(f"Việc {job.pk} ({job}): đang chạy hoặc đã xong, bỏ qua.")
