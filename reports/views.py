from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from areas.models import reportable_areas
from households.models import ReviewCycle

from . import queries, registry
from .render import CONTENT_TYPES, FORMATS
from .render import render as render_report


def _latest_year(area) -> int | None:
    cycle = (
        ReviewCycle.objects.filter(kind=ReviewCycle.Kind.PERIODIC)
        .within(area.commune or area)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return cycle


def dashboard(request):
    area = request.user.home_area()
    report, error = None, None
    if area is not None:
        if area.kind == area.Kind.VILLAGE:
            area = area.parent  # boards see their commune's aggregate figures
        year = _latest_year(area)
        if year is None:
            error = _("Chưa có đợt rà soát định kỳ nào.")
        else:
            try:
                report = queries.baseline(area, year)
            except ValidationError as exc:
                error = " ".join(exc.messages)
    return render(
        request, "reports/dashboard.html", {"area": area, "report": report, "error": error}
    )


def report_view(request, slug):
    build = registry.get(slug)
    if build is None:
        raise Http404
    fmt = request.GET.get("format", "html")
    area_id, year = request.GET.get("area"), request.GET.get("year")
    errors = []
    if fmt not in FORMATS:
        errors.append(_("Định dạng không hỗ trợ: %(fmt)s.") % {"fmt": fmt})
    area = (
        reportable_areas(request.user).filter(pk=area_id).first()
        if (area_id or "").isdigit()
        else None
    )
    if area is None:
        errors.append(_("Không tìm thấy địa bàn hoặc bạn không có quyền xem địa bàn này."))
    if not (year or "").isdigit():
        errors.append(_("Năm không hợp lệ."))
    report = None
    if not errors:
        try:
            report = build(area, int(year))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        return render(request, "reports/error.html", {"errors": errors}, status=400)
    if fmt == "html":
        return render(request, "reports/report_page.html", {"report": report})
    response = HttpResponse(render_report(report, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{slug}-{area.pk}-{year}.{fmt}"'
    return response
