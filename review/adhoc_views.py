"""The pages of ad-hoc reviews (rà soát thường xuyên): a commune's requests, one request and its
steps, and the steps themselves — the application, its result, the decision or the withdrawal.

Reading a request is reading about a person: ``persons`` (a village board sees its own village's
requests). Every step is the commune officer's (``review``, the edit action of
``ReviewRequest``): an application is addressed to the commune (docs/decisions-review.md).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import get_editable_or_404, get_visible_or_404, requires
from areas.models import Area
from areas.scoping import can
from core.collation import by_name
from core.forms import attach_errors
from households import views as household_views
from households.history import request_steps
from households.models import Assessment, Household, ReviewCycle, ReviewRequest

from . import adhoc_services as services
from .adhoc_forms import (
    DecisionForm,
    RequestFilterForm,
    RequestForm,
    ResultStartForm,
    WithdrawForm,
)

ACTION = ReviewRequest.objects.none().edit_action  # "review": the commune officer's
#: the days within which the commune decides on an application (Decision 24/2021/QĐ-TTg)
DECISION_DAYS = 15


def _readable(user):
    return ReviewRequest.objects.where_can(user, "persons").select_related(
        "household__village", "household__commune", "assessment__cycle", "recorded_by"
    )


# --- the commune's requests -------------------------------------------------------------------


@requires("persons")
def request_list(request):
    user = request.user
    communes = Area.objects.visible_to(user).communes()
    form = RequestFilterForm(request.GET or None, communes=communes)
    commune = status = None
    if form.is_bound and form.is_valid():
        commune, status = form.cleaned_data["commune"], form.cleaned_data["status"]
    if commune is None:
        commune = _home_commune(user, communes)
    rows = _readable(user).none()
    counts: dict[str, int] = {}
    if commune is not None:
        rows = _readable(user).filter(household__commune=commune)
        counts = dict(rows.values_list("status").annotate(n=Count("id")).order_by())
        if status:
            rows = rows.filter(status=status)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for row in page:
        row.overdue = row.status in services.OPEN and (today - row.received_on).days > (
            DECISION_DAYS
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "review/adhoc/request_list.html",
        {
            "form": form,
            "commune": commune,
            "status": status,
            "page": page,
            "query": query.urlencode(),
            "statuses": [
                (value, label, counts.get(value, 0))
                for value, label in ReviewRequest.Status.choices
            ],
            "total": sum(counts.values()),
            "decision_days": DECISION_DAYS,
        },
    )


def _home_commune(user, communes):
    """The commune of the user's first membership, else the first of ``communes`` by name."""
    home = user.home_area()
    if home is not None and home.commune is not None:
        found = communes.filter(pk=home.commune.pk).first()
        if found is not None:
            return found
    return min(communes, key=by_name, default=None)


# --- one request and its steps ----------------------------------------------------------------


@requires("persons")
def request_detail(request, pk):
    return _detail_page(request, get_visible_or_404(_readable(request.user), request.user, pk=pk))


def _detail_page(request, req, *, refusal=None, **forms):
    request_steps([req])
    may_act = can(request.user, ACTION, req.household.village)
    is_open = req.status in services.OPEN
    context = {
        "req": req,
        "may_act": may_act,
        "today": timezone.localdate(),
        "deadline": req.received_on + datetime.timedelta(days=DECISION_DAYS),
        "refusal": refusal,
    }
    if may_act and req.status == ReviewRequest.Status.RECEIVED:
        context["start_form"] = forms.get("start_form") or ResultStartForm()
    if may_act and req.status == ReviewRequest.Status.ASSESSED:
        context["decision_form"] = forms.get("decision_form") or DecisionForm()
    if may_act and is_open:
        context["withdraw_form"] = forms.get("withdraw_form") or WithdrawForm()
    return render(request, "review/adhoc/request_detail.html", context)


# --- the steps --------------------------------------------------------------------------------


@requires(ACTION)
def request_create(request, household_pk):
    user = request.user
    household = get_visible_or_404(
        Household.objects.where_can(user, ACTION).select_related("village", "commune"),
        user,
        pk=household_pk,
    )
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            req, created = services.request_record(
                household=household, user=user, **form.cleaned_data
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            if created:
                messages.success(
                    request, _("Đã ghi đơn đề nghị của hộ %(code)s.") % {"code": household.code}
                )
            else:
                messages.info(request, _("Đơn này đã được ghi trước đó."))
            return redirect("adhoc_detail", pk=req.pk)
    return render(request, "review/adhoc/request_form.html", {"form": form, "household": household})


@requires(ACTION)
@require_POST
def request_result_start(request, pk):
    """Choose the ad-hoc cycle (the month of the review) and open the result's page."""
    req = get_editable_or_404(_readable(request.user), request.user, pk=pk)
    form = ResultStartForm(request.POST)
    if form.is_valid():
        try:
            cycle = services.result_cycle(
                request=req, day=form.cleaned_data["review_date"], user=request.user
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            return redirect("adhoc_result", pk=req.pk, cycle_pk=cycle.pk)
    refusal = _non_field(form) or services.status_refusal(req)
    return _detail_page(request, req, refusal=refusal, start_form=form)


@requires(ACTION)
def request_result(request, pk, cycle_pk):
    """The household's review form (``households.views.review_entry``, the page every result is
    entered on) in the commune's ad-hoc cycle; once saved, the result is tied to the request in
    the same transaction."""
    user = request.user
    req = get_editable_or_404(_readable(user), user, pk=pk)
    cycle = get_visible_or_404(
        ReviewCycle.objects.filter(kind=ReviewCycle.Kind.AD_HOC),
        user,
        pk=cycle_pk,
        commune_id=req.household.commune_id,
    )
    refusal = services.result_refusal(req, cycle)
    if refusal:
        messages.error(request, refusal)
        return redirect("adhoc_detail", pk=req.pk)
    if request.method != "POST":
        messages.info(request, _("Kết quả rà soát cho đơn: %(request)s.") % {"request": req})
        return household_views.review_entry(request, req.household_id, cycle.pk)
    try:
        with transaction.atomic():
            req = services.result_lock(request=req, cycle=cycle, user=user)
            response = household_views.review_entry(request, req.household_id, cycle.pk)
            if response.status_code != 302:  # the form's errors, shown on the page
                return response
            assessment = Assessment.objects.get(cycle=cycle, household_id=req.household_id)
            services.result_link(request=req, assessment=assessment, user=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đề nghị đã có kết quả rà soát; có thể ghi quyết định."))
    return redirect("adhoc_detail", pk=req.pk)


@requires(ACTION)
@require_POST
def request_decide(request, pk):
    req = get_editable_or_404(_readable(request.user), request.user, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.request_decide(request=req, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi quyết định của xã."))
            return redirect("adhoc_detail", pk=req.pk)
    refusal = _non_field(form) or services.decision_refusal(req)
    return _detail_page(request, req, refusal=refusal, decision_form=form)


@requires(ACTION)
@require_POST
def request_withdraw(request, pk):
    req = get_editable_or_404(_readable(request.user), request.user, pk=pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.request_withdraw(request=req, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi việc rút đơn."))
            return redirect("adhoc_detail", pk=req.pk)
    refusal = _non_field(form) or services.withdrawal_refusal(req)
    return _detail_page(request, req, refusal=refusal, withdraw_form=form)


def _non_field(form) -> str:
    """A step's refusal (out of order): said once at the top of the page, not on its form."""
    errors = list(form.non_field_errors())
    form.errors.pop("__all__", None)
    return " ".join(errors)
