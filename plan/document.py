"""The whole plan document (Kế hoạch) of a commune and year, composed from the data.

The plan follows the structure of plan 193/KH-UBND: the bases and an opening sentence; I. the
end-of-previous-year situation (from the periodic review); II. the year's targets (from
``indicators.Target``) with Appendix 01 per village; III. tasks — each assigned project and
sub-project with its tasks and legal bases, then two narrative parts; IV. the budget (stated
totals and their breakdown by source); V. what each unit is charged with; a closing paragraph;
after the signature, Appendix 01. Only the narrative parts are typed in (``projects.PlanText``,
with defaults in ``plan/defaults.py``); every figure comes from the data.

What the data leaves unsettled (a stated total its budget lines do not make, targets not entered)
is never printed in the official text: it is a :class:`~plan.checks.Check` in ``checks``, shown on
the plan's page and in the ``plan_checks`` report, and the PDF is marked "DỰ THẢO" until the
officer fixes the data or confirms the plan despite them (``plan/checks.py``).

The result is a :class:`PlanReport`: a ``Report`` whose ``tables`` hold every table (so CSV, JSON,
XLSX and a table-only PDF work as for any report) and whose ``blocks`` give the document's flow —
headings, paragraphs, bullets and the place of each table — for a renderer that lays the
document out as the official text (see ``docs/decisions-projects.md``); ``appendix`` the blocks
printed after the signature, on their own page.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from areas.models import Area
from budget.models import BudgetLine, StatedTotal
from budget.reports import checks_table
from core.collation import by_name
from core.formatting import format_int, format_number
from exits.queries import planned_counts
from households import standing
from households.reports.baseline import baseline
from indicators.models import Target
from indicators.rules import HouseholdClass
from projects.models import Assignment, Plan, PlanText, Responsibility
from projects.reports import assignment_table, bases_by_subproject, responsibility_table
from reports.documents import in_running_text
from reports.errors import ReportError
from reports.tables import Column, MillionColumn, Report, Table, million

from .checks import Check, is_confirmed
from .defaults import (
    PARTS,
    RATE_TARGET_CLAUSE,
    SERVICE_TARGETS,
    default_text,
    percent_text,
    section_title,
)

SUBHEADING = re.compile(r"^\d+(\.\d+)+\.\s")
BULLET = re.compile(r"^[-+]\s+")


@dataclass(frozen=True)
class Block:
    """One element of the document's flow."""

    kind: str  # heading | paragraph | bullet | table
    text: str = ""
    #: heading depth: 1 "I.", 2 "1.", 3 "1.1." or "a)", 4 below that
    level: int = 0
    #: for kind "table": the key of a table in ``PlanReport.tables``
    table: str = ""
    #: the narrative part (``plan.defaults``) this block was typed in, if any
    part: str = ""


@dataclass
class PlanReport(Report):
    blocks: list[Block] = field(default_factory=list)
    #: number, date and subject of this year's plan, over the commune's document settings
    document_values: dict[str, Any] = field(default_factory=dict)
    #: printed after the signature and "Nơi nhận", on a page of its own (Appendix 01)
    appendix: list[Block] = field(default_factory=list)
    #: what the data leaves unsettled: never in the official text (``plan/checks.py``)
    checks: list[Check] = field(default_factory=list)
    #: the checks were confirmed by an officer (or there are none): no "DỰ THẢO" mark
    confirmed: bool = False
    #: the PDF lays the plan out itself: the signature before Appendix 01 (``plan/typeset.py``)
    body_template = "plan/documents/body.html"
    official_closing = False

    @property
    def draft(self) -> bool:
        """The PDF carries "DỰ THẢO" while checks are open and not confirmed."""
        return bool(self.checks) and not self.confirmed

    @property
    def body_context(self) -> dict[str, Any]:
        from .typeset import body_context

        return body_context(self)

    def as_data(self) -> dict[str, Any]:
        data = super().as_data()
        data["blocks"] = [asdict(b) for b in self.blocks]
        data["appendix"] = [asdict(b) for b in self.appendix]
        data["checks"] = [asdict(c) for c in self.checks]
        data["draft"] = self.draft
        data["document"] = {
            k: (v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in self.document_values.items()
        }
        return data


def running_name(area: Area) -> str:
    """ "Xã Vĩnh Hảo" as it reads inside a sentence: "xã Vĩnh Hảo" (documents' own rule)."""
    return in_running_text(area.name)


SYMBOL = re.compile(r"\d[\w.]*(?:[/-][\w.]+)*/[\w.-]*\w")


def cited_in(basis: str, text: str) -> bool:
    """A legal basis ("Điều 20 … Nghị định số 27/2022/NĐ-CP ngày …") is cited in ``text`` when
    the number and symbol of its document appear there."""
    symbols = SYMBOL.findall(basis)
    return bool(symbols) and all(symbol in text for symbol in symbols[:1])


def number_text(value) -> str:
    """A figure as plans print it: "7,64", "100", "3.326,6" (no trailing zeros)."""
    return format_number(value, 3)


def million_text(amount_dong: int) -> str:
    return number_text(million(amount_dong))


def plan_texts(commune: Area, year: int) -> tuple[Plan | None, dict[str, str]]:
    """The plan row, and every narrative part: the commune's own text or the default."""
    plan = Plan.objects.filter(commune=commune, year=year).first()
    own = dict(PlanText.objects.filter(plan=plan).values_list("key", "text")) if plan else {}
    name = running_name(commune)
    texts = {
        p.key: own[p.key] if p.key in own else default_text(p.key, commune=name, year=year)
        for p in PARTS
    }
    return plan, texts


def narrative(text: str, part: str) -> list[Block]:
    """Typed text as blocks: "3.1. Việc làm" lines are sub-headings, "- "/"+ " lines bullets.
    Percentages are written one way throughout ("7,64%", :func:`plan.defaults.percent_text`)."""
    blocks = []
    for line in (percent_text(raw.strip()) for raw in text.splitlines()):
        if not line:
            continue
        if SUBHEADING.match(line) and len(line) < 160:
            blocks.append(Block("heading", line, level=3, part=part))
        elif BULLET.match(line):
            blocks.append(Block("bullet", line, part=part))
        else:
            blocks.append(Block("paragraph", line, part=part))
    return blocks


def plan_report(area: Area, year: int) -> PlanReport:
    commune = area if area.kind == Area.Kind.COMMUNE else area.commune
    if commune is None:
        raise ReportError(_("Kế hoạch được lập cho từng xã; hãy chọn một xã."))
    plan, texts = plan_texts(commune, year)
    blocks: list[Block] = []
    appendix: list[Block] = []
    tables: list[Table] = []
    checks: list[Check] = []

    for line in texts["bases"].splitlines():
        if line.strip():
            blocks.append(Block("paragraph", line.strip(), part="bases"))
    blocks += narrative(texts["intro"], "intro")
    _section_one(commune, year, blocks, tables, checks)
    # the villages' poverty-reduction targets: Appendix 01
    village_targets = Target.objects.filter(area__parent=commune).reductions(year)
    _section_two(commune, year, texts, blocks, tables, checks, appendix=bool(village_targets))
    _section_three(commune, year, texts, blocks, tables, checks)
    _section_four(commune, year, texts, blocks, tables, checks)
    _section_five(commune, year, blocks, tables, checks)
    blocks += narrative(texts["closing"], "closing")
    _appendix(commune, year, village_targets, appendix, tables)

    subject = _(
        "Thực hiện Chương trình mục tiêu quốc gia Giảm nghèo bền vững trên địa bàn %(commune)s "
        "năm %(year)s"
    ) % {"commune": running_name(commune), "year": year}
    values: dict[str, Any] = {"title": subject, "document_type": _("KẾ HOẠCH")}
    if plan and plan.number:
        values["number"] = plan.number
    if plan and plan.issued_on:
        values["document_date"] = plan.issued_on
    return PlanReport(
        slug="plan",
        # Renderers that only know Report add "trên địa bàn <commune>" after the title.
        title=_("Thực hiện Chương trình mục tiêu quốc gia Giảm nghèo bền vững năm %(year)s")
        % {"year": year},
        area=commune,
        year=year,
        tables=tables,
        provenance={"baseline_review": year - 1, "narrative_parts_typed": _typed(plan)},
        blocks=blocks,
        appendix=appendix,
        checks=checks,
        confirmed=is_confirmed(plan, checks),
        document_values=values,
        document_type=_("KẾ HOẠCH"),
        symbol="KH",
    )


def _typed(plan: Plan | None) -> list[str]:
    return sorted(plan.texts.values_list("key", flat=True)) if plan else []


# --- I. situation at the end of the previous year ------------------------------------------


def _section_one(commune, year, blocks, tables, checks) -> None:
    previous = year - 1
    blocks.append(
        Block(
            "heading",
            section_title("situation", year=year),
            level=1,
        )
    )
    try:
        base = baseline(commune, previous)
    except ValidationError as exc:
        checks.append(Check("I", " ".join(exc.messages), key=f"baseline:{previous}"))
        return
    summary = {row["key"]: row for row in base.tables[0].rows}
    both, poor, near = summary["poor_and_near_poor"], summary["poor"], summary["near_poor"]
    blocks.append(
        Block(
            "paragraph",
            _(
                "Theo kết quả rà soát hộ nghèo, hộ cận nghèo cuối năm %(year)s: Số hộ nghèo, cận "
                "nghèo đa chiều trên địa bàn xã: %(n)s hộ, chiếm %(rate)s%% trong đó:"
            )
            % {
                "year": previous,
                "n": format_int(both["households"]),
                "rate": number_text(both["rate"] or 0),
            },
        )
    )
    for row, label, end in ((poor, _("hộ nghèo"), ";"), (near, _("hộ cận nghèo"), ".")):
        blocks.append(
            Block(
                "bullet",
                _(
                    "+ Số hộ thuộc diện %(label)s: %(n)s/%(m)s khẩu, chiếm tỷ lệ %(rate)s%% tổng "
                    "số hộ toàn xã%(end)s"
                )
                % {
                    "label": label,
                    "n": format_int(row["households"]),
                    "m": format_int(row["members"]),
                    "rate": number_text(row["rate"] or 0),
                    "end": end,
                },
            )
        )
    blocks.append(
        Block(
            "heading",
            section_title("deprivation", year=year),
            level=4,
        )
    )
    dimension = None
    rows = base.tables[1].rows
    for number, row in enumerate(rows, start=1):
        if row["dimension"] != dimension:
            dimension = row["dimension"]
            order = row["code"].split(".")[0]
            blocks.append(
                Block("bullet", _("- Tiêu chí %(n)s: %(name)s") % {"n": order, "name": dimension})
            )
        end = "." if number == len(rows) else ";"
        blocks.append(
            Block(
                "bullet",
                _(
                    "+ Chỉ số %(code)s. %(definition)s: %(poor)s hộ nghèo, chiếm %(poor_rate)s%% "
                    "tổng số hộ nghèo; %(near)s hộ cận nghèo, chiếm %(near_rate)s%% tổng số hộ "
                    "cận nghèo%(end)s"
                )
                % {
                    "code": row["code"],
                    "definition": row["definition"].rstrip(". "),
                    "poor": format_int(row["poor"]),
                    "poor_rate": number_text(row["poor_rate"] or 0),
                    "near": format_int(row["near_poor"]),
                    "near_rate": number_text(row["near_poor_rate"] or 0),
                    "end": end,
                },
            )
        )
    first, second = base.tables[0], base.tables[1]
    tables.append(
        Table(
            key="section1_summary",
            title=section_title("situation", year=year),
            columns=first.columns,
            # the plan's section I is the seed's table: poor and near-poor, not the average band
            rows=[r for r in first.rows if r["key"] != "average"],
            footnotes=list(base.footnotes),
        )
    )
    tables.append(
        Table(key="section1_indicators", title=second.title, columns=second.columns, rows=rows)
    )


# --- II. targets ----------------------------------------------------------------------------


def _section_two(commune, year, texts, blocks, tables, checks, *, appendix: bool) -> None:
    blocks.append(Block("heading", section_title("objectives", year=year), level=1))
    blocks.append(Block("heading", section_title("general_objectives", year=year), level=2))
    blocks += narrative(texts["general_objectives"], "general_objectives")
    blocks.append(Block("heading", section_title("specific_objectives", year=year), level=2))
    order = {metric: i for i, metric in enumerate(Target.Metric.values)}
    targets = {
        t.metric: t
        for t in sorted(
            Target.objects.filter(area=commune, year=year), key=lambda t: order.get(t.metric, 99)
        )
    }
    M = Target.Metric
    blocks.append(Block("heading", section_title("rate_targets", year=year), level=3))
    poor, near = targets.get(M.POOR_REDUCTION), targets.get(M.NEAR_POOR_REDUCTION)
    rate = targets.get(M.POVERTY_RATE)
    notes = narrative(texts["rate_targets_note"], "rate_targets_note")
    if poor or near or rate:
        parts = []
        if poor or near:
            total = (poor.value if poor else 0) + (near.value if near else 0)
            text = _("Phấn đấu giảm %(n)s hộ nghèo, cận nghèo đa chiều") % {"n": number_text(total)}
            if poor and near:
                text += _(" (Trong đó %(p)s hộ nghèo và %(q)s hộ cận nghèo)") % {
                    "p": number_text(poor.value),
                    "q": number_text(near.value),
                }
            parts.append(text)
        if rate:
            parts.append(
                _("giảm tỷ lệ nghèo đa chiều xuống còn %(r)s%%") % {"r": number_text(rate.value)}
            )
        parts.append(str(RATE_TARGET_CLAUSE))
        # the typed bullets below detail the target: "…, trong đó:" introduces them
        end = _(", trong đó:") if notes else "."
        blocks.append(Block("bullet", "- " + ", ".join(parts) + end))
    else:
        checks.append(
            Check(
                "II.2.1",
                _("Chưa nhập chỉ tiêu giảm nghèo năm %(year)s.") % {"year": year},
                key=f"targets:{year}",
            )
        )
    blocks += notes
    if appendix:  # Appendix 01 is printed (there are village targets): promise it
        blocks.append(Block("paragraph", _("(có phụ lục 01 đính kèm)")))
    blocks.append(
        Block(
            "heading",
            section_title("service_targets", year=year),
            level=3,
        )
    )
    blocks += service_target_blocks(targets, texts)
    blocks += narrative(texts["service_targets_note"], "service_targets_note")
    tables.append(
        Table(
            key="section2_targets",
            title=section_title("objectives", year=year),
            columns=[
                Column("metric", _("Chỉ tiêu")),
                Column("value", _("Giá trị"), "number"),
                Column("source", _("Nguồn")),
            ],
            # in the order section II states them (the order of ``Target.Metric``)
            rows=[
                {
                    "key": t.metric,
                    "metric": t.get_metric_display(),
                    "value": t.value,
                    "source": t.source,
                }
                for t in targets.values()
            ],
        )
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def service_target_blocks(targets, texts) -> list[Block]:
    """Section II.2.2: one bullet per dimension (``plan.defaults.SERVICE_TARGETS``) with its
    targets, each sub-target under its own dimension. A dimension's typed part adds to it: a line
    starting "+ " is a sub-item of its own ("+ 100% người lao động … được hỗ trợ kết nối…"), other
    lines continue the dimension's sentence ("Tỷ lệ bao phủ BHYT đạt 100%"). With sub-items, the
    dimension is a heading line and every target a "+ " item under it."""
    values = {metric: number_text(t.value) for metric, t in targets.items() if t.value is not None}
    out: list[Block] = []
    for dimension in SERVICE_TARGETS:
        sentences = [text for text in dimension.sentences(values) if text]
        typed = [percent_text(line.strip()) for line in texts[dimension.key].splitlines()]
        items = [line for line in typed if BULLET.match(line)]
        sentences += [line for line in typed if line and not BULLET.match(line)]
        sentences = [_capital(text.rstrip(" .;")) for text in sentences]
        if not sentences and not items:
            continue
        if not items:
            text = f"- {dimension.label}: {'; '.join(sentences)}."
            out.append(Block("bullet", text, part=dimension.key))
            continue
        out.append(Block("bullet", f"- {dimension.label}:", part=dimension.key))
        for i, text in enumerate(sentences):
            end = "." if i == len(sentences) - 1 and not items else ";"
            out.append(Block("bullet", f"+ {text}{end}", part=dimension.key))
        out += [Block("bullet", line, part=dimension.key) for line in items]
    return out


# --- III. tasks -----------------------------------------------------------------------------


def _section_three(commune, year, texts, blocks, tables, checks) -> None:
    blocks.append(Block("heading", section_title("tasks", year=year), level=1))
    blocks.append(
        Block(
            "heading",
            _(
                "1. Tổ chức thực hiện các dự án, tiểu dự án và hoạt động thuộc chương trình mục "
                "tiêu quốc gia giảm nghèo bền vững năm %(year)s, bao gồm:"
            )
            % {"year": year},
            level=2,
        )
    )
    blocks += narrative(texts["tasks_intro"], "tasks_intro")
    assignments = list(Assignment.objects.filter(commune=commune, year=year).for_listing())
    if not assignments:
        checks.append(
            Check(
                "III.1",
                _("Chưa phân công thực hiện dự án, tiểu dự án nào trong năm %(year)s.")
                % {"year": year},
                key=f"assignments:{year}",
            )
        )
    bases = bases_by_subproject(assignments)
    project_number, project_index = None, 0
    for a in assignments:
        sp = a.subproject
        if sp.project_id != project_number:
            project_number = sp.project_id
            project_index += 1
            blocks.append(
                Block(
                    "heading",
                    f"1.{project_index}. "
                    + _("Dự án %(n)s: %(name)s")
                    % {"n": sp.project.number, "name": sp.project.name},
                    level=3,
                )
            )
        if sp.number is not None:
            letter = chr(ord("a") + sp.number - 1) if 1 <= sp.number <= 26 else str(sp.number)
            blocks.append(
                Block(
                    "heading",
                    _("%(letter)s) Tiểu dự án %(n)s: %(name)s")
                    % {"letter": letter, "n": sp.number, "name": sp.name},
                    level=4,
                )
            )
        tasks = a.tasks.strip() or _("%(lead)s chủ trì%(with)s tổ chức thực hiện.") % {
            "lead": a.lead_unit.name,
            "with": (
                _(", phối hợp với %(units)s,")
                % {"units": ", ".join(u.name for u in a.coordinating_units.all())}
                if a.coordinating_units.all()
                else ""
            ),
        }
        blocks += narrative(tasks, "")
        # a legal basis the tasks already cite ("Trình tự thực hiện theo … 27/2022/NĐ-CP") is
        # not cited again
        uncited = [b for b in bases.get(sp.pk, []) if not cited_in(b, tasks)]
        if uncited:
            blocks.append(
                Block(
                    "paragraph",
                    _("Căn cứ thực hiện: %(bases)s.") % {"bases": "; ".join(uncited)},
                )
            )
    blocks.append(
        Block(
            "heading",
            _(
                "2. Phát triển sản xuất, kinh doanh, tạo việc làm, nâng cao thu nhập cho hộ "
                "nghèo, cận nghèo, hộ mới thoát nghèo"
            ),
            level=2,
        )
    )
    blocks += narrative(texts["production"], "production")
    blocks.append(
        Block(
            "heading",
            _(
                "3. Bảo đảm mức tối thiểu về một số dịch vụ xã hội cơ bản cho người dân, đặc biệt "
                "là người nghèo, người có hoàn cảnh khó khăn và đồng bào dân tộc thiểu số"
            ),
            level=2,
        )
    )
    blocks += narrative(texts["basic_services"], "basic_services")
    if assignments:
        # Tasks and legal bases are in the text above; the table says who does what.
        table = assignment_table(assignments, year, several=False)
        table.key = "section3_assignments"
        table.title = _("III. Nhiệm vụ và giải pháp: phân công thực hiện các dự án, tiểu dự án")
        tables.append(table)


# --- IV. budget -----------------------------------------------------------------------------


def _section_four(commune, year, texts, blocks, tables, checks) -> None:
    blocks.append(Block("heading", section_title("budget", year=year), level=1))
    blocks += narrative(texts["budget_intro"], "budget_intro")
    lines = list(
        BudgetLine.objects.filter(commune=commune, year=year)
        .select_related("source", "subproject")
        .order_by("source__order", "subproject__code", "id")
    )
    stated_checks = StatedTotal.objects.filter(commune=commune, year=year).checked()
    number = 0
    for check in stated_checks:
        number += 1
        stated = check.stated
        sources = {s.pk for s in stated.sources.all()}
        by_source: dict[str, int] = {}
        for line in lines:
            if (not sources or line.source_id in sources) and (
                stated.subproject_id is None or line.subproject_id == stated.subproject_id
            ):
                key = line.source.short_name or line.source.name
                by_source[key] = by_source.get(key, 0) + line.allocated
        breakdown = ", ".join(
            _("%(source)s: %(amount)s triệu đồng") % {"source": s, "amount": million_text(a)}
            for s, a in by_source.items()
        )
        text = f"{number}. {stated.label}"
        if stated.document:
            text += " " + _("(Theo %(document)s)") % {"document": stated.document}
        text += ": " + _("%(amount)s triệu đồng") % {"amount": million_text(stated.amount)}
        if breakdown:
            text += f" ({breakdown})"
        blocks.append(Block("paragraph", text + "."))
        if not check.agrees:
            key = f"stated:{stated.pk}:{stated.amount}:{check.parts}:{check.line_count}"
            checks.append(Check("IV", check.message(), key=key))
    if not stated_checks and lines:
        number += 1
        total = sum(line.allocated for line in lines)
        blocks.append(
            Block(
                "paragraph",
                _("%(n)s. Tổng kinh phí được giao: %(amount)s triệu đồng.")
                % {"n": number, "amount": million_text(total)},
            )
        )
    if texts["budget_other"].strip():
        blocks += narrative(f"{number + 1}. {texts['budget_other'].strip()}", "budget_other")
    if lines:
        # The lines are the XLSX's and the budget report's: the official text states the totals
        # and their sources as plan 193/KH-UBND does; a line-by-line table (with its own total,
        # which may not make the stated one) is a check, not part of the document.
        tables.append(
            Table(
                key="section4_budget",
                title=_("IV. Kinh phí thực hiện năm %(year)s") % {"year": year},
                columns=[
                    Column("subproject", _("Dự án, tiểu dự án")),
                    Column("source", _("Nguồn vốn")),
                    Column("kind", _("Loại vốn")),
                    MillionColumn("allocated", _("Kinh phí (triệu đồng)")),
                    Column("document", _("Văn bản giao vốn")),
                ],
                rows=[
                    {
                        "key": f"line-{line.pk}",
                        "subproject": str(line.subproject) if line.subproject_id else _("Chung"),
                        "source": line.source.name,
                        "kind": line.get_kind_display(),
                        "allocated": million(line.allocated),
                        "document": line.document,
                    }
                    for line in lines
                ]
                + [
                    {
                        "key": "total",
                        "_style": "total",
                        "subproject": _("Tổng cộng các dòng"),
                        "allocated": million(sum(line.allocated for line in lines)),
                    }
                ],
            )
        )
    if stated_checks:
        tables.append(
            checks_table(
                stated_checks,
                with_document=False,
                key="section4_checks",
                title=_("Đối chiếu tổng số nêu trong văn bản với các dòng kinh phí"),
            )
        )


# --- V. who does what -----------------------------------------------------------------------


def _section_five(commune, year, blocks, tables, checks) -> None:
    blocks.append(Block("heading", section_title("organisation", year=year), level=1))
    items = list(
        Responsibility.objects.filter(unit__commune=commune, year=year)
        .select_related("unit")
        .order_by("order", "id")
    )
    if not items:
        checks.append(
            Check(
                "V",
                _("Chưa giao nhiệm vụ cho đơn vị nào trong năm %(y)s.") % {"y": year},
                key=f"units:{year}",
            )
        )
    for index, item in enumerate(items, start=1):
        blocks.append(Block("heading", f"{item.order or index}. {item.title}", level=2))
        for paragraph in item.paragraphs():
            blocks += narrative(paragraph, "")
    if items:
        table = responsibility_table(commune, year, several=False)
        table.key = "section5_units"
        table.title = section_title("organisation", year=year)
        tables.append(table)


# --- Appendix 01: targets per village -------------------------------------------------------


def _appendix(commune, year, village_targets: dict, blocks, tables) -> None:
    """Appendix 01, printed after the signature: its heading blocks ("Phụ lục 01", its subject)
    and its table; the "(Kèm theo Kế hoạch số …)" line is the renderer's (it needs the number and
    date of the document: ``plan/typeset.py``)."""
    M = Target.Metric
    if not village_targets:
        return
    villages = sorted(commune.children.filter(kind=Area.Kind.VILLAGE), key=by_name)
    poor, near = HouseholdClass.POOR.value, HouseholdClass.NEAR_POOR.value
    counts = {
        (r["village_id"], r["household_class"]): r["n"]
        for r in standing.year_results(year - 1)  # the year's figures: households/standing.py
        .within(commune)
        .filter(Q(household_class=poor) | Q(household_class=near))
        .values("village_id", "household_class")
        .annotate(n=Count("id"))
        .order_by()
    }
    planned = planned_counts(commune, year)  # households planned to escape (exits)
    rows = []
    for v in villages:
        rows.append(
            {
                "key": f"village-{v.pk}",
                "village": v.name,
                "poor": counts.get((v.pk, poor), 0),
                "near_poor": counts.get((v.pk, near), 0),
                "poor_reduction": village_targets.get((v.pk, M.POOR_REDUCTION)),
                "near_poor_reduction": village_targets.get((v.pk, M.NEAR_POOR_REDUCTION)),
                "poor_planned": planned.get((v.pk, poor), 0),
                "near_planned": planned.get((v.pk, near), 0),
            }
        )
    rows.append(
        {
            "key": "total",
            "_style": "total",
            "village": _("Toàn xã"),
            "poor": sum(r["poor"] for r in rows),
            "near_poor": sum(r["near_poor"] for r in rows),
            "poor_reduction": sum((r["poor_reduction"] or 0) for r in rows),
            "near_poor_reduction": sum((r["near_poor_reduction"] or 0) for r in rows),
            "poor_planned": sum(r["poor_planned"] for r in rows),
            "near_planned": sum(r["near_planned"] for r in rows),
        }
    )
    subject = _("Chỉ tiêu giảm hộ nghèo, hộ cận nghèo năm %(year)s theo thôn") % {"year": year}
    title = _("Phụ lục 01: %(subject)s") % {"subject": subject}
    end = _("Cuối năm %(y)s") % {"y": year - 1}
    goal = _("Chỉ tiêu giảm năm %(y)s") % {"y": year}
    chosen = _("Hộ dự kiến thoát nghèo")
    blocks.append(Block("heading", _("Phụ lục 01"), level=1))
    blocks.append(Block("heading", subject, level=2))
    blocks.append(Block("table", table="appendix01"))
    tables.append(
        Table(
            key="appendix01",
            title=title,
            columns=[
                Column("village", _("Thôn")),
                Column("poor", _("Hộ nghèo"), "int", end),
                Column("near_poor", _("Hộ cận nghèo"), "int", end),
                Column("poor_reduction", _("Hộ nghèo"), "number", goal),
                Column("near_poor_reduction", _("Hộ cận nghèo"), "number", goal),
                *(
                    [
                        Column("poor_planned", _("Hộ nghèo"), "int", chosen),
                        Column("near_planned", _("Hộ cận nghèo"), "int", chosen),
                    ]
                    if planned
                    else []
                ),
            ],
            rows=rows,
        )
    )
