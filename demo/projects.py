"""The programme side of the Vĩnh Hảo demo, from ``fixtures/demo_projects_2024.json``.

What plan 193/KH-UBND states is loaded as stated: Projects 2, 3 (sub-projects 1, 2), 4 (1, 3),
6 (1, 2) and 7 (2), their legal bases, the units sections III and V name with their 2024 duties,
and the 2024 budget (NSTW 2.975 and NSĐP 74,3 triệu đồng against a stated 3.326,6 — which do not
add up, and the budget check says so). Activities, beneficiaries and disbursements are sample data
(``is_sample``), because the plan states none. Every step looks up before it writes, so loading
twice changes nothing.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "demo_projects_2024.json"


def load_spec() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _date(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def load_projects_demo(commune, *, log=print) -> dict:
    """Load the programme structure, and the 2024 plan, budget and sample data of ``commune``.

    Idempotent: rows are matched by their natural keys; sample rows are created only when the
    commune has none for the year.
    """
    spec = load_spec()
    with transaction.atomic():
        documents = _legal_documents(spec)
        subprojects = _programmes(spec, documents)
        units = _units(spec, commune)
        assignments = _assignments(spec, commune, subprojects, units)
        _responsibilities(spec, units)
        lines = _budget(spec, commune, subprojects)
        samples = _samples(spec, commune, assignments, lines, log)
        _plan(spec, commune)
    log(
        f"Dự án, tiểu dự án: {len(subprojects)}; phân công năm {spec['year']}: "
        f"{len(assignments)}; dòng kinh phí: {len(lines)}; dữ liệu mẫu mới: {samples}."
    )
    return {
        "subprojects": len(subprojects),
        "assignments": len(assignments),
        "budget_lines": len(lines),
        "samples_created": samples,
    }


def remove_projects_samples(commune) -> int:
    """Delete the commune's sample beneficiaries, activities and disbursements, so that the
    household demo can be reset (a beneficiary protects its household from deletion)."""
    from budget.models import Disbursement
    from projects.models import Activity, Beneficiary

    with transaction.atomic():
        removed = Beneficiary.objects.filter(assignment__commune=commune, is_sample=True).delete()[
            0
        ]
        removed += Activity.objects.filter(
            assignment__commune=commune, is_sample=True, beneficiaries__isnull=True
        ).delete()[0]
        removed += Disbursement.objects.filter(line__commune=commune, is_sample=True).delete()[0]
    return removed


def _legal_documents(spec) -> dict:
    from projects.services import legal_document_get_or_create

    return {
        d["number"]: legal_document_get_or_create(
            number=d["number"],
            kind=d["kind"],
            issuer=d["issuer"],
            issued_on=_date(d["issued_on"]),
            subject=d["subject"],
        )
        for d in spec["legal_documents"]
    }


def _programmes(spec, documents) -> dict:
    from projects.models import Programme, Project, SubProject
    from projects.services import subproject_create

    subprojects = {}
    for p in spec["programmes"]:
        programme, _ = Programme.objects.update_or_create(
            code=p["code"],
            defaults={
                "name": p["name"],
                "name_en": p.get("name_en", ""),
                "start_year": p["start_year"],
                "end_year": p["end_year"],
                "legal_basis": p["legal_basis"],
                "notes": p["notes"],
            },
        )
        for pr in p["projects"]:
            project, _ = Project.objects.get_or_create(
                programme=programme,
                number=pr["number"],
                defaults={"name": pr["name"], "name_en": pr.get("name_en", "")},
            )
            for sp in pr["subprojects"]:
                existing = SubProject.objects.filter(programme=programme, code=sp["code"]).first()
                subprojects[sp["code"]] = existing or subproject_create(
                    project=project,
                    code=sp["code"],
                    name=sp["name"],
                    name_en=sp.get("name_en", ""),
                    number=sp["number"],
                    indicator_codes=sp["indicators"],
                    legal_bases=[(documents[n], articles) for n, articles in sp["legal_bases"]],
                )
    return subprojects


def _units(spec, commune) -> dict:
    from projects.models import Unit
    from projects.services import unit_create

    units = {}
    for u in spec["units"]:
        units[u["key"]] = Unit.objects.filter(commune=commune, name=u["name"]).first() or (
            unit_create(commune=commune, name=u["name"], kind=u["kind"], order=u["order"])
        )
    return units


def _assignments(spec, commune, subprojects, units) -> dict:
    from projects.models import Assignment
    from projects.services import assignment_create

    year = spec["year"]
    assignments = {}
    for a in spec["assignments"]:
        subproject = subprojects[a["subproject"]]
        assignments[a["subproject"]] = Assignment.objects.filter(
            commune=commune, year=year, subproject=subproject
        ).first() or assignment_create(
            commune=commune,
            year=year,
            subproject=subproject,
            lead_unit=units[a["lead"]],
            officer_in_charge=units[a["officer"]] if a["officer"] else None,
            coordinating_units=[units[k] for k in a["coordinating"]],
            tasks=a["tasks"],
        )
    return assignments


def _responsibilities(spec, units) -> None:
    from projects.models import Responsibility
    from projects.services import responsibility_set

    for r in spec["responsibilities"]:
        unit = units[r["unit"]]
        if not Responsibility.objects.filter(unit=unit, year=spec["year"]).exists():
            responsibility_set(
                unit=unit,
                year=spec["year"],
                duties=r["duties"],
                order=r["order"],
                heading=r["heading"],
            )


def _budget(spec, commune, subprojects) -> dict:
    from budget import services
    from budget.models import BudgetLine, FundingSource, StatedTotal

    year = spec["year"]
    sources = {s.code: s for s in FundingSource.objects.all()}
    missing = {item["source"] for item in spec["budget"]["lines"]} - set(sources)
    if missing:
        raise CommandError(
            f"Chưa có nguồn vốn {', '.join(sorted(missing))}; hãy chạy `manage.py migrate`."
        )
    lines = {}
    for item in spec["budget"]["lines"]:
        subproject = subprojects[item["subproject"]] if item["subproject"] else None
        source = sources[item["source"]]
        lines[item["source"]] = BudgetLine.objects.filter(
            commune=commune, year=year, subproject=subproject, source=source, kind=item["kind"]
        ).first() or services.budget_line_create(
            commune=commune,
            year=year,
            source=source,
            kind=item["kind"],
            allocated=item["allocated"],
            subproject=subproject,
            document=item["document"],
            note=item["note"],
        )
    for item in spec["budget"]["stated_totals"]:
        if not StatedTotal.objects.filter(commune=commune, year=year, label=item["label"]):
            services.stated_total_create(
                commune=commune,
                year=year,
                label=item["label"],
                amount=item["amount"],
                sources=[sources[c] for c in item["sources"]],
                document=item["document"],
            )
    return lines


def _samples(spec, commune, assignments, lines, log) -> int:
    """Sample activities, beneficiaries and disbursements, once per commune and year."""
    from budget import services as budget_services
    from budget.models import Disbursement
    from households.models import ReviewCycle
    from projects.models import Activity
    from projects.services import activity_create, beneficiary_record

    year, sample = spec["year"], spec["sample"]
    created = 0
    # Creation order, as in fixtures/demo_vinh_hao.json (paths sort "/10/" before "/2/").
    villages = list(commune.children.order_by("pk"))
    activities = []
    if not Activity.objects.filter(assignment__commune=commune, assignment__year=year).exists():
        for a in sample["activities"]:
            activities.append(
                activity_create(
                    assignment=assignments[a["subproject"]],
                    area=villages[a["village"]] if a["village"] is not None else commune,
                    title=a["title"],
                    planned_start=_date(a["start"]),
                    planned_end=_date(a["end"]),
                    status=a["status"],
                    progress=a["progress"],
                    result=a["result"],
                    is_sample=True,
                )
            )
        created += len(activities)
    has_review = ReviewCycle.objects.filter(
        commune=commune, year=year - 1, kind=ReviewCycle.Kind.PERIODIC
    ).exists()
    if activities and not has_review:
        log(f"Chưa có kết quả rà soát năm {year - 1}: bỏ qua người thụ hưởng mẫu.")
    if activities and has_review:
        for b in sample["beneficiaries"]:
            chosen = _deprived_households(
                commune, year - 1, b["indicator"], [villages[i] for i in b["villages"]], b["count"]
            )
            for household in chosen:
                beneficiary_record(
                    assignment=assignments[b["subproject"]],
                    household=household,
                    support_kind=b["support_kind"],
                    description=b["description"],
                    value=b["value"],
                    supported_on=_date(b["supported_on"]),
                    activity=activities[b["activity"]] if b["activity"] is not None else None,
                    is_sample=True,
                )
            created += len(chosen)
    paid = Disbursement.objects.filter(line__commune=commune, line__year=year)
    if not paid.exists():
        for d in sample["disbursements"]:
            budget_services.disbursement_record(
                line=lines[d["source"]],
                paid_on=_date(d["paid_on"]),
                amount=d["amount"],
                document=d["document"],
                is_sample=True,
            )
            created += 1
    return created


def _plan(spec, commune) -> None:
    """The 2024 plan's number, date and narrative parts as the seed words them."""
    from plan.services import plan_details_set, plan_text_set
    from projects.models import Plan

    year, plan = spec["year"], spec["plan"]
    if Plan.objects.filter(commune=commune, year=year).exists():
        return
    plan_details_set(
        commune=commune, year=year, number=plan["number"], issued_on=_date(plan["issued_on"])
    )
    for key, text in plan["texts"].items():
        plan_text_set(commune=commune, year=year, key=key, text=text)


def _deprived_households(commune, review_year, code, villages, count):
    """The first ``count`` poor or near-poor households of ``villages`` deprived in ``code``
    (by household code, so the choice is the same on every machine)."""
    from households.models import Household, ReviewCycle
    from projects.coverage import TARGET_CLASSES

    return list(
        Household.objects.filter(
            commune=commune,
            village__in=villages,
            assessments__cycle__year=review_year,
            assessments__cycle__kind=ReviewCycle.Kind.PERIODIC,
            assessments__household_class__in=TARGET_CLASSES,
            assessments__deprivations__indicator__code=code,
        )
        .distinct()
        .order_by("code")[:count]
    )
