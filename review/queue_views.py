"""The review queue of a periodic cycle: per village, the households still to review (no result,
no recorded reason), in the registry's order, with how far the village has come. The review form
("Lưu và sang hộ tiếp theo", households/views.py) walks the same queue."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import get_visible_or_404, requires
from areas.models import Area
from areas.scoping import can, persons_visible_in
from households.models import Assessment, ReviewCycle, ReviewExemption
from households.queries import cycle_registry, review_queue

from .queries import village_rows


def _periodic_cycle(request, pk) -> ReviewCycle:
    cycle = get_visible_or_404(ReviewCycle.objects.select_related("commune"), request.user, pk=pk)
    if cycle.kind != ReviewCycle.Kind.PERIODIC:
        raise Http404  # an ad-hoc cycle reviews the households that applied, from their requests
    return cycle


#: households of a village's queue on one page (a village may have a thousand)
QUEUE_PAGE = 100


@requires("persons")
def cycle_queue(request, pk):
    """The villages whose households the user may list (an officer: the commune's; a board: its
    own), each with its count still to review and a progress bar; one village opens directly."""
    cycle = _periodic_cycle(request, pk)
    rows = [row for row in village_rows(cycle) if persons_visible_in(request.user, row.village)]
    if not rows:
        raise Http404
    if len(rows) == 1:
        return redirect("cycle_queue_village", pk=cycle.pk, village_pk=rows[0].village.pk)
    for row in rows:
        row.done = row.reviewed + row.exempted
    return render(request, "review/cycle_queue.html", {"cycle": cycle, "rows": rows})


@requires("persons")
def cycle_queue_village(request, pk, village_pk):
    """One village's queue: its households still to review, each a link to the review form."""
    cycle = _periodic_cycle(request, pk)
    village = get_object_or_404(
        Area.objects.within(cycle.commune).filter(kind=Area.Kind.VILLAGE), pk=village_pk
    )
    if not persons_visible_in(request.user, village):
        raise Http404
    queue = review_queue(cycle, village).only("pk", "code", "head_name", "address")
    page = Paginator(queue, QUEUE_PAGE).get_page(request.GET.get("page"))
    has_result = Exists(Assessment.objects.filter(cycle=cycle, household=OuterRef("pk")))
    has_reason = Exists(ReviewExemption.objects.filter(cycle=cycle, household=OuterRef("pk")))
    counts = (
        cycle_registry(cycle)
        .filter(village=village)
        .aggregate(total=Count("pk"), done=Count("pk", filter=Q(has_result) | Q(has_reason)))
    )
    return render(
        request,
        "review/cycle_queue_village.html",
        {
            "cycle": cycle,
            "village": village,
            "households": page.object_list,
            "page": page,
            "remaining": page.paginator.count,
            "total": counts["total"],
            "done": counts["done"],
            "can_enter": not cycle.is_finalised and can(request.user, "edit_registry", village),
            "whole_commune": persons_visible_in(request.user, cycle.commune),
        },
    )
