"""What the review's documents share: the cycle a document is about, the registry it covers, each
household's previous result and its current one, the document wording a commune may edit, and
the :class:`ReviewDocument` the engine renders (Decree 30 blocks, its own PDF body where a table
is not the body, a Word-like XLSX where it is)."""

from __future__ import annotations

import datetime
import string
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from areas.models import Area
from core.collation import vietnamese_key
from households.models import Assessment, Household, ReviewCycle
from households.standing import year_results
from indicators.rules import HouseholdClass
from reports.documents import in_running_text, settings_for
from reports.errors import ReportError
from reports.tables import Report
from reports.units import Units

POOR = HouseholdClass.POOR.value
NEAR_POOR = HouseholdClass.NEAR_POOR.value
AVERAGE = HouseholdClass.AVERAGE.value
NOT_POOR = HouseholdClass.NOT_POOR.value


@dataclass
class ReviewDocument(Report):
    """A review document: a report with the number, date and signer of its own document over
    the commune's document settings (``document_values``), and for the PDF either its own body
    template (a form, a decision, minutes) or its tables."""

    document_values: dict[str, Any] = field(default_factory=dict)
    #: the template of the PDF body (``reports.pdf.report_body``) and what it is given
    body_template: str = ""
    body_context: dict[str, Any] = field(default_factory=dict)
    #: the Decree 30 heading and closing around the body; a survey form has neither, a decision
    #: places its signature itself, before its annexes
    official_heading: bool = True
    official_closing: bool = True
    #: the XLSX has the heading above its table and the signature below (a list, a register)
    word_like: bool = True


def class_label(value: str | None) -> str:
    return str(dict(Assessment.CLASS_CHOICES).get(value, "")) if value else ""


def commune_of(area: Area) -> Area:
    """The commune whose review a document of ``area`` (the commune or one of its villages) is
    about; wider areas have no one review."""
    if area.kind == Area.Kind.COMMUNE:
        return area
    if area.kind == Area.Kind.VILLAGE and area.parent_id:
        return area.parent
    raise ReportError(
        _("Văn bản rà soát được lập cho một xã hoặc một thôn; %(area)s là cấp trên của xã."),
        params={"area": area.name},
    )


def cycle_for(area: Area, year: int) -> ReviewCycle:
    """The periodic review of ``year`` of the commune ``area`` lies in."""
    commune = commune_of(area)
    cycle = (
        ReviewCycle.objects.filter(commune=commune, year=year, kind=ReviewCycle.Kind.PERIODIC)
        .select_related("commune", "standard")
        .first()
    )
    if cycle is None:
        raise ReportError(
            _("Không có đợt rà soát định kỳ năm %(year)s cho %(area)s."),
            params={"year": year, "area": commune.name},
        )
    return cycle


def previous_finalised(cycle: ReviewCycle) -> ReviewCycle | None:
    """The commune's latest finalised periodic review before ``cycle``: the lists a decision's
    "out of poverty" is measured from."""
    return (
        ReviewCycle.objects.filter(
            commune_id=cycle.commune_id,
            kind=ReviewCycle.Kind.PERIODIC,
            status=ReviewCycle.Status.FINALISED,
            reference_date__lt=cycle.reference_date,
        )
        .order_by("-reference_date")
        .first()
    )


def registry(cycle: ReviewCycle, area: Area):
    """The households of ``area`` on the registry at the cycle's reference date."""
    return Household.objects.within(area).in_registry_at(cycle.reference_date)


def village_order(area: Area) -> tuple[Units, dict[int, int]]:
    units = Units(area)
    return units, {v: i for i, v in enumerate(units.village_ids)}


def latest_before(cycle: ReviewCycle, household_ids) -> dict[int, Assessment]:
    """Each household's latest result before ``cycle`` (any earlier cycle of its commune,
    periodic or ad hoc, by reference date): what last year's answers were."""
    found: dict[int, Assessment] = {}
    rows = (
        Assessment.objects.filter(
            household_id__in=list(household_ids),
            cycle__reference_date__lt=cycle.reference_date,
        )
        .select_related("cycle", "standard")
        .order_by("household_id", "-cycle__reference_date", "-pk")
    )
    for row in rows:
        found.setdefault(row.household_id, row)
    return found


def classes_of(cycle: ReviewCycle | None, area: Area) -> dict[int, dict]:
    """{household id: {"class", "members", "village_id"}} of a periodic ``cycle`` within
    ``area``, by the one definition of a year's figures (``households.standing.year_results``):
    its own results of households on its registry, and the previous finalised result of those it
    records as "not reviewed again — keeps last year's result"."""
    if cycle is None:
        return {}
    return {
        r["household_id"]: {
            "class": r["household_class"],
            "members": r["member_count"],
            "village_id": r["village_id"],
        }
        for r in year_results(cycle.year)
        .within(area)
        .values("household_id", "household_class", "member_count", "village_id")
    }


def member_counts(households) -> dict[int, int]:
    return dict(
        households.annotate(n=Count("members")).values_list("id", "n").order_by()
        if households is not None
        else []
    )


def ethnic_order(name: str) -> tuple:
    """Ethnic groups in Vietnamese order, an unrecorded one last."""
    return (not name, vietnamese_key(name or ""))


class _Keep(dict):
    """Placeholders a commune's wording names but the document does not know stay as written."""

    def __missing__(self, key):
        return "{" + key + "}"


def fill(text: str, values: dict) -> str:
    """``text`` with its ``{name}`` placeholders replaced; a stray brace is left as it is."""
    try:
        return string.Formatter().vformat(text, (), _Keep(values))
    except (ValueError, IndexError):
        return text


def body_text(area: Area, slug: str, default: str, values: dict) -> list[str]:
    """The wording of document ``slug``: the commune's own (``DocumentSettings.body`` of that
    document) or ``default``, filled in, as its non-empty lines."""
    own = settings_for(area, slug).get("body") or default
    return [line.strip() for line in fill(own, values).splitlines() if line.strip()]


def common_values(cycle: ReviewCycle) -> dict[str, Any]:
    """Placeholders every review document's wording may use."""
    commune = cycle.commune
    return {
        "xa": in_running_text(commune.name),
        "Xa": commune.name,
        "nam": cycle.year,
        "ngay_chot": cycle.reference_date.strftime("%d/%m/%Y"),
    }


def date_text(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def number_and_symbol(text: str, symbol: str) -> dict[str, str]:
    """A recorded decision number ("15" or "15/QĐ-UBND") as the number and symbol blocks."""
    text = (text or "").strip()
    if "/" in text:
        number, _sep, own_symbol = text.partition("/")
        return {"number": number.strip(), "symbol": own_symbol.strip() or symbol}
    return {"number": text, "symbol": symbol}


def only_if_unset(area: Area, slug: str, values: dict) -> dict:
    """``values`` without the fields the commune has set for ``slug`` (its settings win over a
    document's own defaults, never over the recorded number and date)."""
    own = settings_for(area, slug)
    return {k: v for k, v in values.items() if not own.get(k)}


def in_scope(households, area: Area):
    """``households`` of ``area`` (the whole commune, or one village)."""
    return households.filter(Q(village__path__startswith=area.path))
