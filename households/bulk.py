"""Bulk actions on the households ticked in the list page (issue 15, item 6).

The list page's table is one plain form: a checkbox ``selected`` per row, and one button per
action, each sending the form to the page of the app that owns the action (``formaction``):
Phiếu B to ``review``, "add to a sub-project's beneficiaries" to ``projects``, the Excel export
here (it hands over to the list's export, ``imports``, with the chosen households). Every one of
them reads the ticked households through :func:`selected_households`: at most
:data:`MAX_SELECTED`, and all of them within the user's reach, or nothing is done at all (an id
outside the user's scope is refused, never silently dropped). docs/decisions-review.md, "Bulk
actions"."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import requires
from core.formatting import format_int

from .models import Household

#: households one bulk action takes at a time: a village board's day of field work, a sub-project's
#: list of a village, and well inside the list export's limit
MAX_SELECTED = 100
#: the list page's own filters, sent back with the selection so that the user returns to them
LIST_FILTERS = (
    "q",
    "village",
    "cycle",
    "household_class",
    "indicator",
    "dimension",
    "ethnicity",
    "sort",
    "per_page",
    "page",
)


def selected_ids(data) -> list[int]:
    """The ticked ids of ``data`` (a QueryDict), in the order sent, without repeats; anything
    that is not an id is refused."""
    ids: list[int] = []
    for value in data.getlist("selected"):
        if not value.strip().isdigit():
            raise ValidationError(_("Lựa chọn không hợp lệ; hãy chọn lại các hộ trong danh sách."))
        number = int(value)
        if number not in ids:
            ids.append(number)
    return ids


def selected_households(user, data, *, editable: bool = False) -> list[Household]:
    """The households ticked in ``data``, with their village and commune, in code order. Refused
    (``ValidationError``) when none is ticked, when more than :data:`MAX_SELECTED` are, or when
    one of them is not visible to ``user`` (with ``editable``: not editable by ``user``) — the
    message does not tell whether such a household exists. One query (two with ``editable``)."""
    ids = selected_ids(data)
    if not ids:
        raise ValidationError(_("Chưa chọn hộ nào. Hãy đánh dấu các hộ trong danh sách."))
    if len(ids) > MAX_SELECTED:
        raise ValidationError(
            _(
                "Đã chọn %(count)s hộ; mỗi lần chỉ làm được tối đa %(limit)s hộ. Hãy bỏ bớt hoặc "
                "chia thành nhiều lần."
            )
            % {"count": format_int(len(ids)), "limit": format_int(MAX_SELECTED)}
        )
    scope = Household.objects.editable_by(user) if editable else Household.objects.visible_to(user)
    households = list(
        scope.filter(pk__in=ids).select_related("village", "commune").order_by("code", "pk")
    )
    if len(households) != len(ids):
        missing = len(ids) - len(households)
        raise ValidationError(
            _(
                "%(count)s hộ đã chọn không có hoặc nằm ngoài phạm vi bạn được làm việc này; "
                "không thực hiện thao tác nào."
            )
            % {"count": format_int(missing)}
        )
    return households


def list_url(data) -> str:
    """The list page with the filters it was sent from (hidden fields of the bulk form)."""
    kept = [(key, value) for key in LIST_FILTERS for value in data.getlist(key) if value]
    return reverse("household_list") + (f"?{urlencode(kept)}" if kept else "")


def refuse(request, error: ValidationError):
    """Back to the list, with the reason, nothing done."""
    for message in error.messages:
        messages.error(request, message)
    return redirect(list_url(request.POST))


@requires("persons")
@require_POST
def export_selected(request):
    """The list's Excel export (same columns, same audit entry) of the ticked households only:
    handed to the export with their ids and the list's filters (which choose the results shown)."""
    try:
        households = selected_households(request.user, request.POST)
    except ValidationError as error:
        return refuse(request, error)
    kept = [
        (key, value)
        for key in LIST_FILTERS
        if key not in ("page", "per_page")
        for value in request.POST.getlist(key)
        if value
    ]
    kept += [("selected", h.pk) for h in households]
    return redirect(f"{reverse('imports:export_households')}?{urlencode(kept)}")
