"""python manage.py jobs_retry <id> [<id> ...] [--stale]

Queue failed or interrupted jobs again (as the "Chạy lại" button does); ``--stale`` takes every
interrupted job (``Job.interrupted``): running with a stopped heartbeat (its worker died) and not
redelivered by the broker, or queued and never claimed (the broker lost its message)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jobs import services
from jobs.models import Job


class Command(BaseCommand):
    help = "Cho chạy lại các việc nền bị lỗi hoặc bị gián đoạn."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int)
        parser.add_argument(
            "--stale",
            action="store_true",
            help="Mọi việc bị gián đoạn: đang chạy mà mất tín hiệu, hoặc chờ mãi không chạy",
        )

    def handle(self, *args, ids, stale, **options):
        jobs = list(Job.objects.filter(pk__in=ids))
        missing = set(ids) - {job.pk for job in jobs}
        if missing:
            raise CommandError(
                _("Không có việc số %(ids)s.") % {"ids": ", ".join(map(str, sorted(missing)))}
            )
        if stale:
            jobs += list(Job.objects.stale())
        if not jobs:
            raise CommandError(_("Hãy ghi số việc, hoặc --stale."))
        for job in jobs:
            if services.retry(job):
                message = _("Việc %(id)s (%(job)s): đã cho chạy lại.")
            else:
                message = _("Việc %(id)s (%(job)s): đang chạy hoặc đã xong, bỏ qua.")
            self.stdout.write(message % {"id": job.pk, "job": job})
