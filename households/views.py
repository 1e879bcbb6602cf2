from django.shortcuts import render

from accounts.access import get_visible_or_404

from .models import Household


def household_detail(request, pk):
    household = get_visible_or_404(
        Household.objects.select_related("village", "commune"), request.user, pk=pk
    )
    members = household.members.all()
    assessments = (
        household.assessments.select_related("cycle", "standard")
        .prefetch_related("deprivations__indicator__dimension")
        .order_by("-cycle__year", "-cycle__reference_date")
    )
    return render(
        request,
        "households/household_detail.html",
        {"household": household, "members": members, "assessments": assessments},
    )
