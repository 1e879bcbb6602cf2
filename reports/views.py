"""Report pages: the dashboard, the one report view serving every format, the district view, and
the officer pages for targets, stated figures (reconciliation) and document blocks."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import requires
from areas.models import Area, reportable_areas
from areas.scoping import can, person_areas_within, persons_visible_in
from audit.models import AccessLog
from audit.services import access_log
from indicators import services as target_services
from indicators.models import ProgressRecord, Target
from jobs import services as job_services

from . import registry
from . import services as report_services
from .documents import issuing_area
from .errors import NotEntered
from .forms import DocumentSettingsForm, ProgressForm, TargetForm, target_order
from .html import charts_svg
from .jobs import BATCH_FORMATS
from .models import DocumentSettings
from .render import CONTENT_TYPES, FORMATS, estimate_seconds, expected_rows
from .render import render as render_report

#: the language of official documents (the PDFs), whatever the interface language
OFFICIAL_LANGUAGE = "vi"


def _latest_year(area) -> int | None:
    return registry.latest_year(area)


def _area_param(request, name: str = "area") -> Area | None:
    value = request.GET.get(name) or request.POST.get(name) or ""
    return reportable_areas(request.user).filter(pk=value).first() if value.isdigit() else None


def _year_param(request, area: Area) -> int | None:
    value = request.GET.get("year") or ""
    if value.isdigit() and 1990 <= int(value) <= 2100:
        return int(value)
    return None if value else _latest_year(area)


def _report_links(area: Area, year: int | None, user) -> list[dict]:
    """The reports ``user`` can open for ``area``, with their URLs per format."""
    links = []
    aggregate = area.kind in (Area.Kind.PROVINCE, Area.Kind.DISTRICT)
    for spec in registry.SPECS.values():
        if not spec.per_commune and not aggregate:
            continue  # e.g. "communes" compares the communes of a district
        for where in person_areas_within(user, area) if spec.personal else [area]:
            title = spec.title or spec.slug
            if where != area:
                title = f"{title} · {where.name}"
            query = urlencode({"area": where.pk, "year": year})
            base = reverse("report", args=[spec.slug]) + "?" + query
            links.append(
                {
                    "slug": spec.slug,
                    "title": title,
                    "html": base,
                    "formats": {fmt: f"{base}&format={fmt}" for fmt in ("pdf", "xlsx", "csv")},
                }
            )
    return links


@requires("view")
def index(request):
    """The reports of the user's area: a district or province opens the district view."""
    area = request.user.home_area()
    if area is not None and area.kind in (Area.Kind.PROVINCE, Area.Kind.DISTRICT):
        return redirect(reverse("report_area") + "?" + urlencode({"area": area.pk}))
    year, official = None, False
    if area is not None:
        area = issuing_area(area)  # boards see their commune's aggregate figures
        choices = registry.year_choices(area)
        year = registry.default_year(choices)
        official = any(c.official and c.year == year for c in choices)
    return render(
        request,
        "reports/index.html",
        {
            "area": area,
            "year": year,
            "official": official,
            "links": _report_links(area, year, request.user) if area is not None and year else [],
            "can_edit": area is not None and can(request.user, "report", area),
        },
    )


def _refuse(request, errors, status=400):
    return render(request, "reports/error.html", {"errors": errors}, status=status)


def batch_command(slug: str, area: Area, year, fmt: str) -> str:
    where = area.code or area.name
    return (
        f'python manage.py report {slug} --area "{where}" --year {year} --format {fmt} '
        f"--output {slug}-{area.code or area.pk}-{year}.{fmt}"
    )


def _year_value(request) -> tuple[int | None, bool]:
    """The ``year`` asked for, and whether the value was bad (not a year)."""
    value = request.GET.get("year") or ""
    if not value:
        return None, False
    if value.isdigit() and 1990 <= int(value) <= 2100:
        return int(value), False
    return None, True


def year_options(request, spec, choices) -> list[dict]:
    """The year picker of a report page: each year with data (shifted to the report's own year,
    the plan's being the year after its review), labelled official or provisional, with the
    URL of the same report for that year."""
    query = request.GET.copy()
    query.pop("format", None)
    options = []
    for choice in choices:
        year = spec.report_year(choice.year)
        query["year"] = year
        official = None if spec.review_offset is None else choice.official
        options.append(
            {
                "year": year,
                "label": registry.year_label(year, official),
                "official": choice.official,
                "url": f"{reverse('report', args=[spec.slug])}?{query.urlencode()}",
            }
        )
    return options


def _no_data(request, spec, area, year, options, messages_=(), status=404, entry=None, entered=()):
    """A year without data: say so and link the years that have data, never a dead end."""
    return render(
        request,
        "reports/no_data.html",
        {
            "spec": spec,
            "title": spec.title or spec.slug,
            "area": area,
            "year": year,
            "messages_": list(messages_),
            "no_data": status == 404,
            "years": options,
            "entry": entry if entry and can(request.user, "view", area) else None,
            "can_enter": can(request.user, "report", area),
            "entered": entered,
        },
        status=status,
    )


@requires("view")
def report_view(request, slug):
    spec = registry.spec(slug)
    if spec is None:
        raise Http404
    fmt = request.GET.get("format", "html")
    errors = []
    if fmt not in FORMATS:
        errors.append(_("Định dạng không hỗ trợ: %(fmt)s.") % {"fmt": fmt})
    area = _area_param(request)
    if area is None:
        errors.append(_("Không tìm thấy địa bàn hoặc bạn không có quyền xem địa bàn này."))
    year, bad_year = _year_value(request)
    if bad_year:
        errors.append(_("Năm không hợp lệ: %(value)s.") % {"value": request.GET["year"]})
    if errors:
        return _refuse(request, errors)
    if spec.personal and not persons_visible_in(request.user, area):
        return _refuse(
            request,
            [
                _(
                    "Báo cáo này liệt kê từng hộ, từng người: bạn chỉ được xem cho địa bàn mà "
                    "bạn được xem danh sách hộ (%(area)s nằm ngoài phạm vi đó). Số liệu tổng hợp "
                    "của %(area)s vẫn xem được ở các báo cáo khác."
                )
                % {"area": area.name}
            ],
            status=403,
        )
    choices = registry.year_choices(area)
    options = year_options(request, spec, choices)
    if year is None:  # the latest official figures (or, before any, the latest provisional)
        latest = registry.default_year(choices)
        if latest is None:
            return _no_data(request, spec, area, None, options)
        year = spec.report_year(latest)
    review_year = spec.review_year(year)
    if review_year is not None and review_year not in {c.year for c in choices}:
        return _no_data(request, spec, area, year, options)
    extra = {name: request.GET[name] for name in spec.options if request.GET.get(name)}
    seconds = estimate_seconds(
        fmt, expected_rows(spec, area, year, **extra), long_table=spec.long_table
    )
    if seconds > settings.REPORT_WEB_LIMIT_SECONDS:
        return _refuse(
            request,
            [
                _(
                    "Báo cáo này quá lớn để lập trên trình duyệt (ước tính %(s)s giây). Hãy lập "
                    "bằng lệnh chạy nền: %(command)s"
                )
                % {"s": f"{seconds:.0f}", "command": batch_command(slug, area, year, fmt)}
            ],
            status=413,
        )
    # The official document is Vietnamese whatever the interface language: its texts, names and
    # numbers are built and laid out with Vietnamese active (core/names.py, core/formatting.py).
    language = OFFICIAL_LANGUAGE if fmt == "pdf" else translation.get_language()
    try:
        official = review_year is not None and {c.year: c.official for c in choices}[review_year]
        with translation.override(language):
            report = registry.build(spec, area, year, official=official, **extra)
    except NotEntered as exc:  # not an error: figures to enter first, and where
        entry = reverse(exc.entry) + "?" + urlencode({"area": area.pk, "year": year})
        entered = [  # the same report for the years whose figures were entered
            {
                "year": y,
                "url": reverse("report", args=[slug])
                + "?"
                + urlencode({"area": area.pk, "year": y}),
            }
            for y in exc.years
        ]
        return _no_data(
            request,
            spec,
            area,
            year,
            options,
            exc.messages,
            status=200,
            entry=entry,
            entered=entered,
        )
    except ValidationError as exc:
        return _no_data(request, spec, area, year, options, exc.messages, status=400)
    if spec.personal:  # before anything is shown: no entry, no list
        access_log(
            request=request,
            action=AccessLog.Action.REPORT_DOWNLOAD,
            area=area,
            what=f"{slug}.{fmt} {year}",
            rows=spec.personal_rows(report),
        )
    if fmt == "html":
        query = request.GET.copy()
        query["year"] = year
        query.pop("format", None)
        base = f"{request.path}?{query.urlencode()}"
        return render(
            request,
            "reports/report_page.html",
            {
                "report": report,
                "charts": charts_svg(report),
                "links": _report_links(area, year, request.user),
                "downloads": {f: f"{base}&format={f}" for f in ("pdf", "xlsx", "csv", "json")},
                "can_edit": can(request.user, "report", area),
                "commune_links": slug == "communes",
                "batch": _batch_offer(spec, area),
                "years": options,
                "year": year,
                "picker_params": [(k, v) for k, v in query.items() if k != "year"],
            },
        )
    with translation.override(language):
        body = render_report(report, fmt)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    name = f"{slug}-{area.code or area.pk}-{year}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _batch_offer(spec, area: Area) -> dict | None:
    """The batch form of a report page for an area above a commune: every commune's report in
    one zip, made in the background (``reports.batch``, reports/jobs.py)."""
    if not spec.per_commune or area.kind not in (Area.Kind.PROVINCE, Area.Kind.DISTRICT):
        return None
    return {"formats": ("pdf", "xlsx")}


@requires("view")
@require_POST
def report_batch(request, slug):
    """Start the batch of ``slug`` for every commune under the area, then show its job."""
    spec = registry.spec(slug)
    area = _area_param(request)
    if spec is None or area is None or _batch_offer(spec, area) is None:
        raise Http404
    fmt = request.POST.get("format", "pdf")
    year = request.POST.get("year", "")
    if fmt not in BATCH_FORMATS or (year and not (year.isdigit() and 1990 <= int(year) <= 2100)):
        return _refuse(request, [_("Định dạng hoặc năm không hợp lệ.")])
    options = {name: request.POST[name] for name in spec.options if request.POST.get(name)}
    label = _("%(report)s · mọi xã thuộc %(area)s · %(year)s (%(fmt)s)") % {
        "report": spec.title or spec.slug,
        "area": area.name,
        "year": year or _("năm mới nhất"),
        "fmt": fmt.upper(),
    }
    job = job_services.start(
        "reports.batch",
        user=request.user,
        area=area,
        params={
            "slug": slug,
            "format": fmt,
            "year": int(year) if year else None,
            "options": options,
        },
        label=label,
    )
    return redirect("jobs:detail", pk=job.pk)


@requires("view")
def area_view(request):
    """The district view: every commune below a viewer's area side by side, each with links to
    its reports; the aggregate reports cover the whole area."""
    area = _area_param(request)
    if area is None:
        return _refuse(request, [_("Không tìm thấy địa bàn hoặc bạn không có quyền xem.")])
    if area.kind in (Area.Kind.COMMUNE, Area.Kind.VILLAGE):
        commune = issuing_area(area)
        return redirect(reverse("report", args=["baseline"]) + f"?area={commune.pk}")
    choices = registry.year_choices(area)
    year, _bad = _year_value(request)
    if year is None:
        year = registry.default_year(choices)
    report, error = None, None
    overview = registry.spec("communes")  # the communes side by side, registered by households
    if year is None:
        error = _("Chưa có kết quả rà soát định kỳ nào trong %(area)s.") % {"area": area.name}
    elif year not in {c.year for c in choices}:
        error = _("Chưa có kết quả rà soát định kỳ năm %(year)s trong %(area)s.") % {
            "year": year,
            "area": area.name,
        }
    elif overview is not None:
        try:
            official = {c.year: c.official for c in choices}[year]
            report = registry.build(overview, area, year, official=official)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    commune_reports = [
        s
        for s in registry.SPECS.values()
        if s.per_commune and (not s.personal or persons_visible_in(request.user, area))
    ]
    rows = []
    if report is not None:
        for row in report.tables[0].rows:
            if row.get("_area_id"):
                rows.append(
                    {
                        "row": row,
                        "cells": [(c, c.format(row.get(c.key))) for c in report.tables[0].columns],
                        "links": [
                            (
                                s.title or s.slug,
                                reverse("report", args=[s.slug])
                                + "?"
                                + urlencode({"area": row["_area_id"], "year": year}),
                            )
                            for s in commune_reports
                        ],
                    }
                )
    total = []
    if report is not None:
        table = report.tables[0]
        total = [(c, c.format(table.rows[-1].get(c.key))) for c in table.columns]
    return render(
        request,
        "reports/area.html",
        {
            "area": area,
            "year": year,
            "years": choices,
            "picker_params": [("area", area.pk)],
            "report": report,
            "rows": rows,
            "total": total,
            "error": error,
            "aggregate_links": _report_links(area, year, request.user) if year else [],
        },
    )


# --- officer pages --------------------------------------------------------------------------


def _commune_and_year(request):
    area = _area_param(request)
    if area is None:
        return None, None
    commune = issuing_area(area)
    year = _year_param(request, commune)
    return commune, year or datetime.date.today().year


@requires("view")
def targets_view(request):
    commune, year = _commune_and_year(request)
    if commune is None or commune.kind != Area.Kind.COMMUNE:
        return _refuse(request, [_("Hãy chọn một xã trong phạm vi của bạn.")])
    if "year" not in request.GET:
        year = year + 1 if Target.objects.filter(area=commune, year=year + 1).exists() else year
    areas = Area.objects.filter(path__startswith=commune.path).order_by("path")
    targets = (
        Target.objects.filter(area__in=areas, year=year)
        .select_related("area")
        .order_by("area__path", "metric")
    )
    editable = can(request.user, "report", commune)
    target_form = TargetForm(request.POST or None, areas=areas, prefix="t")
    progress_form = ProgressForm(request.POST or None, targets=targets, prefix="p")
    if request.method == "POST":
        if not editable:
            return _refuse(request, [_("Bạn chỉ có quyền xem chỉ tiêu.")], status=403)
        form = target_form if request.POST.get("action") == "target" else progress_form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if form is target_form:
                    target_services.target_set(
                        area=data["area"],
                        year=year,
                        metric=data["metric"],
                        value=data["value"],
                        source=data["source"],
                        user=request.user,
                    )
                else:
                    target_services.progress_record(
                        target=data["target"],
                        as_of=data["as_of"],
                        value=data["value"],
                        source=data["source"],
                        user=request.user,
                    )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Đã lưu."))
                return redirect(request.get_full_path())
    records = ProgressRecord.objects.filter(target__in=targets).select_related("target__area")
    return render(
        request,
        "reports/targets.html",
        {
            "commune": commune,
            "year": year,
            "targets": sorted(targets, key=target_order),
            "records": records,
            "editable": editable,
            "target_form": target_form,
            "progress_form": progress_form,
        },
    )


@requires("view")
def document_settings_view(request):
    area = _area_param(request)
    if area is None:
        return _refuse(request, [_("Không tìm thấy địa bàn hoặc bạn không có quyền xem.")])
    area = issuing_area(area)
    slug = request.GET.get("report", "")
    if slug and registry.spec(slug) is None:
        return _refuse(request, [_("Không có báo cáo “%(slug)s”.") % {"slug": slug}])
    instance = DocumentSettings.objects.filter(area=area, report=slug).first()
    editable = can(request.user, "report", area)
    spec = registry.spec(slug) if slug else None
    initial = {"version": instance.version if instance else None}
    if spec is not None and spec.default_body is not None and not (instance and instance.body):
        initial["body"] = spec.default_body(area)  # the wording to start from
    form = DocumentSettingsForm(request.POST or None, instance=instance, initial=initial)
    if spec is None or spec.default_body is None:
        del form.fields["body"]  # a document without a body of text
    if request.method == "POST":
        if not editable:
            return _refuse(request, [_("Bạn chỉ có quyền xem.")], status=403)
        if form.is_valid():
            values = {
                name: form.cleaned_data[name] for name in form.Meta.fields if name in form.fields
            }
            try:
                report_services.document_settings_save(
                    area=area,
                    report=slug,
                    user=request.user,
                    expected_version=form.cleaned_data.get("version"),
                    **values,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Đã lưu thể thức văn bản."))
                return redirect(request.get_full_path())
    return render(
        request,
        "reports/document_settings.html",
        {
            "area": area,
            "slug": slug,
            "form": form,
            "editable": editable,
            "specs": registry.SPECS.values(),
        },
    )
