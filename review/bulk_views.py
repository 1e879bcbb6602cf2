"""Phiếu B for the households ticked in the list page (households/bulk.py): handed to the report
``review_form`` with their codes, so the engine checks, logs and renders it as any report."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import requires
from areas.scoping import persons_visible_in
from core.formatting import format_int
from households.bulk import refuse, selected_households
from households.models import ReviewCycle
from households.queries import open_cycles_of
from reports.render import estimate_seconds

from .reports.survey_form import ROWS_PER_FORM, SLUG


def print_limit() -> int:
    """How many forms the engine draws within the browser's time limit (its own estimate)."""
    fixed = estimate_seconds("pdf", 0)
    per_form = estimate_seconds("pdf", ROWS_PER_FORM) - fixed
    return max(1, int((settings.REPORT_WEB_LIMIT_SECONDS - fixed) / per_form))


@requires("persons")
@require_POST
def print_forms(request):
    """One PDF, one Phiếu B after another, for the ticked households of one commune: the form of
    the commune's open periodic review (else the engine's default year)."""
    try:
        households = selected_households(request.user, request.POST)
        if len({h.commune_id for h in households}) > 1:
            raise ValidationError(_("Phiếu B được in theo từng xã; hãy chọn các hộ của một xã."))
        most = print_limit()
        if len(households) > most:
            raise ValidationError(
                _(
                    "Phiếu B in trên trình duyệt được tối đa %(limit)s hộ một lần (đã chọn "
                    "%(count)s hộ). Hãy in thành nhiều lần."
                )
                % {"limit": format_int(most), "count": format_int(len(households))}
            )
        one_village = len({h.village_id for h in households}) == 1
        area = households[0].village if one_village else households[0].commune
        if not persons_visible_in(request.user, area):
            raise ValidationError(
                _("Bạn không được in danh sách hộ của %(area)s.") % {"area": area.name}
            )
    except ValidationError as error:
        return refuse(request, error)
    query = {"area": area.pk, "format": "pdf", "household": ",".join(h.code for h in households)}
    cycle = open_cycles_of(ReviewCycle.objects.filter(commune_id=households[0].commune_id)).get(
        households[0].commune_id
    )
    if cycle is not None:
        query["year"] = cycle.year
    return redirect(f"{reverse('report', args=[SLUG])}?{urlencode(query)}")
