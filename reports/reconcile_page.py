"""The reconciliation page: the section I table (the figures of the report a stated document is
compared with, from the one query layer) with an input beside each figure for what the document
states, or a table pasted from the document (Word, Excel) read into those inputs
(``reports.pasted``). Saving writes the stated document (``reports.services``) and opens the
``reconciliation`` report."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.access import requires
from areas.scoping import can

from . import registry
from . import services as report_services
from .forms import StatedForm
from .models import StatedDocument
from .pasted import map_pasted
from .reconciliation import EQUAL, VERDICT_LABELS, cells_of, row_key, row_label, stated_marks
from .views import OFFICIAL_LANGUAGE, _area_param, _refuse, _year_param

#: the report a stated document is compared with by default (section I of the plan)
SUBJECT = "baseline"


def input_name(row: str, column: str) -> str:
    return f"v:{row}:{column}"


def _year(request, area) -> int | None:
    if request.GET.get("year"):
        return _year_param(request, area)
    stated = (
        StatedDocument.objects.filter(area=area)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )  # open on the latest year that has a stated document, else on the latest figures
    return stated or registry.latest_year(area)


def _layout(computed, entered: dict, marks: dict) -> list[dict]:
    """The computed report's tables as the page shows them: per row, each number column's
    computed figure with the stated one (an input when the user may enter figures)."""
    tables = []
    for table in computed.tables:
        numeric = [c for c in table.columns if c.numeric]
        if not numeric:
            continue
        rows = []
        for row in table.rows:
            key = row_key(row)
            label = row_label(row, with_code=False)
            cells = []
            for column in numeric:
                mark = marks.get((key, column.key))
                cells.append(
                    {
                        "computed": column.format(row.get(column.key)),
                        "name": input_name(key, column.key),
                        "value": entered.get((key, column.key), ""),
                        "label": f"{label} – {column.group} {column.label}".replace("  ", " "),
                        "column_label": f"{column.group} – {column.label}"
                        if column.group
                        else column.label,
                        "mark": mark,
                        "mark_label": VERDICT_LABELS[mark] if mark else "",
                    }
                )
            rows.append({"code": row.get("code", ""), "label": label, "cells": cells})
        tables.append(
            {
                "title": table.title,
                "groups": table.column_groups() if table.has_groups else [],
                "columns": numeric,
                "label_span": len(table.columns) - len(numeric),
                "has_code": any(r.get("code") for r in table.rows),
                "rows": rows,
            }
        )
    return tables


@requires("view")
def reconcile_view(request):
    area = _area_param(request)
    if area is None:
        return _refuse(request, [_("Không tìm thấy địa bàn hoặc bạn không có quyền xem.")])
    year = _year(request, area)
    if year is None:
        return _refuse(request, [_("Năm không hợp lệ hoặc địa bàn chưa có đợt rà soát nào.")])
    spec = registry.spec(SUBJECT)
    if spec is None or spec.figures is None:
        return _refuse(
            request, [_("Không đối chiếu được với báo cáo “%(slug)s”.") % {"slug": SUBJECT}]
        )
    editable = can(request.user, "report", area)
    if request.method == "POST" and not editable:
        return _refuse(request, [_("Bạn chỉ có quyền xem.")], status=403)
    documents = list(
        StatedDocument.objects.filter(area=area, year=year, report=SUBJECT)
        .prefetch_related("figures")
        .order_by("reference")
    )
    wanted = request.GET.get("document", "")
    document = next((d for d in documents if str(d.pk) == wanted), None)
    if document is None and documents and not wanted:
        document = documents[0]
    options = [
        {
            "year": choice.year,
            "label": choice.label,
            "url": f"{reverse('report_reconcile')}?"
            + urlencode({"area": area.pk, "year": choice.year}),
        }
        for choice in registry.year_choices(area)
    ]
    base = {
        "area": area,
        "year": year,
        "years": options,
        "picker_params": [("area", area.pk)],
        "editable": editable,
    }
    try:
        computed = spec.figures(area, year)
    except ValidationError as exc:  # no review results that year: say so, link the years
        return render(
            request,
            "reports/reconcile.html",
            {**base, "no_figures": exc.messages, "documents": documents},
        )
    cells = cells_of(computed)
    form = StatedForm(
        request.POST or None,
        initial={"reference": document.reference if document else _default_reference(year)},
    )
    if document is not None and request.method != "POST":
        entered = {(f.row, f.column): f.text for f in document.figures.all()}
    else:
        entered = {
            key: request.POST.get(input_name(*key), "").strip()
            for key in cells
            if request.POST.get(input_name(*key), "").strip()
        }
    unmapped, pasted_rows = [], None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "paste" and not form.cleaned_data["pasted"].strip():
            form.add_error("pasted", _("Hãy dán bảng số liệu của văn bản vào ô này."))
        elif request.POST.get("action") == "paste":
            labels = computed
            if (
                translation.get_language() != OFFICIAL_LANGUAGE
            ):  # documents name their rows in Vietnamese
                with translation.override("vi"):
                    labels = spec.figures(area, year)
            mapping = map_pasted(form.cleaned_data["pasted"], labels)
            entered.update(mapping.values)
            unmapped, pasted_rows = mapping.unmapped, mapping.rows
        else:
            try:
                saved = report_services.stated_document_save(
                    area=area,
                    year=year,
                    reference=form.cleaned_data["reference"],
                    values={key: entered[key] for key in cells if key in entered},
                    report=SUBJECT,
                    user=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Đã lưu số liệu văn bản nêu."))
                query = urlencode({"area": area.pk, "year": year, "document": saved.pk})
                return redirect(reverse("report", args=["reconciliation"]) + "?" + query)
    marks = (
        (stated_marks(spec, computed, cells, document) if document is not None else {})
        if request.method != "POST"
        else {}
    )
    return render(
        request,
        "reports/reconcile.html",
        {
            **base,
            "form": form,
            "documents": documents,
            "document": document,
            "tables": _layout(computed, entered, marks),
            "unmapped": unmapped,
            "pasted_rows": pasted_rows,
            "tally": {
                label: sum(1 for m in marks.values() if m == key)
                for key, label in VERDICT_LABELS.items()
            }
            if marks
            else {},
            "equal": EQUAL,
        },
    )


def _default_reference(year: int) -> str:
    return _("Kế hoạch số …/KH-UBND năm %(year)s, mục I") % {"year": year + 1}
