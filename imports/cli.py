"""What the shell commands ``import_households`` and ``import_assessments`` share: finding the
commune, cycle and user named on the command line, and printing the report."""

from __future__ import annotations

from django.utils.translation import gettext as _

from areas.models import Area
from core.formatting import format_decimal, format_int
from households import services
from households.models import ReviewCycle

from .importer import ImportReport


def commune_for(term: str) -> Area:
    """The commune whose code or exact name is ``term``; ValueError with a message otherwise."""
    matches = list(Area.objects.communes().lookup(term)[:5])
    if not matches:
        raise ValueError(
            _("Không tìm thấy xã “%(term)s” (theo mã hoặc tên chính xác).") % {"term": term}
        )
    if len(matches) > 1:
        listed = "; ".join(f"{a.name} ({a.code})" for a in matches)
        raise ValueError(
            _("“%(term)s” khớp nhiều xã: %(list)s. Hãy dùng mã.") % {"term": term, "list": listed}
        )
    return matches[0]


def periodic_cycle(commune: Area, year: int) -> ReviewCycle:
    if not services.YEAR_MIN <= year <= services.YEAR_MAX:
        raise ValueError(_("Năm %(year)s không hợp lệ.") % {"year": year})
    cycle = (
        ReviewCycle.objects.select_related("standard", "commune")
        .filter(commune=commune, year=year, kind=ReviewCycle.Kind.PERIODIC)
        .first()
    )
    if cycle is None:
        raise ValueError(
            _("%(commune)s chưa có đợt rà soát định kỳ năm %(year)s; hãy tạo đợt rà soát trước.")
            % {"commune": commune.name, "year": year}
        )
    return cycle


def user_for(username: str | None):
    """The active user called ``username`` (None for none); ValueError with a message if absent."""
    if not username:
        return None
    from django.contrib.auth import get_user_model

    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist:
        raise ValueError(_("Không có người dùng “%(name)s”.") % {"name": username}) from None


def print_report(command, report: ImportReport, *, dry_run: bool) -> None:
    """How the shell commands end: problems and warnings on stderr; with ``--dry-run`` every row
    that would be written with the fields it changes (old → new); the summary on stdout; and a
    non-zero exit (CommandError) when nothing was written for a refusal."""
    from django.core.management.base import CommandError

    for line in report.problem_lines():
        command.stderr.write(line)
    for line in report.warning_lines():
        command.stderr.write(line)
    if dry_run:
        for line in report.change_lines():
            command.stdout.write(line)
    for line in report.summary_lines():
        command.stdout.write(line)
    if report.warnings_refused:
        raise CommandError(
            _(
                "Không nhập gì: %(n)s dòng có cảnh báo. Kiểm tra các dòng đó; nếu số liệu đúng, "
                "chạy lại với --accept-warnings."
            )
            % {"n": len({(w.sheet, w.row) for w in report.warnings})}
        )
    if report.partial:
        command.stdout.write(
            _("Đã ghi các dòng hợp lệ (%(seconds)s giây); %(n)s dòng lỗi không được ghi.")
            % {
                "seconds": format_decimal(report.seconds, 1),
                "n": format_int(report.counts["invalid"]),
            }
        )
        return
    if not report.ok:
        raise CommandError(
            _("Không nhập gì: %(n)s dòng lỗi.") % {"n": report.counts["invalid"]}
            if not report.file_error
            else _("Không nhập gì.")
        )
    if dry_run:
        command.stdout.write(_("Chạy thử (--dry-run): không ghi gì."))
    else:
        command.stdout.write(
            _("Đã ghi trong một giao dịch (%(seconds)s giây).")
            % {"seconds": format_decimal(report.seconds, 1)}
        )
