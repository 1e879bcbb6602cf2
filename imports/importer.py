"""What both importers share: the report (problems, counts, changes and the outcome digest a
confirm compares), the reading of rows against a spec, and the run (read, compare, write in one
transaction, one import of a commune at a time)."""

from __future__ import annotations

import gc
import hashlib
import io
import os
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from areas.models import Area

from .columns import CellProblem, SheetSpec, map_headers
from .limits import PROGRESS_EVERY, ImportFileError
from .reader import _SPECIAL, Formula, Workbook, _SpecialRow, open_workbook


@dataclass
class RowIssue:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Trang “%(sheet)s”, dòng %(row)s, cột “%(column)s”: %(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class RowChange:
    sheet: str
    row: int | None
    code: str
    status: str  # new / updated / unchanged
    details: str = ""
    # What the change rests on, in no language (the record's version, the fields and members it
    # touches): part of the outcome a confirm must find again.
    basis: str = ""
    # The fields it changes, as shown to the user: (label, old value, new value), text.
    fields: tuple = ()

    def field_text(self) -> str:
        return "; ".join(f"{label}: {old} → {new}" for label, old, new in self.fields)

    def line(self) -> str:
        """The change as one line of the shell's dry run: row, code, status and fields."""
        status = {"new": _("mới"), "updated": _("cập nhật")}.get(self.status, self.status)
        where = (
            _("Dòng %(row)s") % {"row": self.row}
            if self.row is not None
            else _("Trang “%(sheet)s”") % {"sheet": self.sheet}
        )
        text = f"{where} · {self.code} ({status})"
        detail = self.field_text() or self.details
        return f"{text}: {detail}" if detail else text


# What a kept reading may contain. Its bytes were written by this server and their digest is
# checked first; unpickling only these names and the classes of this app as well means that even
# a reading swapped on disk cannot call a function: anything else fails, and the file is read
# again.
_READING_NAMES = frozenset(
    {
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("decimal", "Decimal"),
        ("django.db.models.base", "model_unpickle"),
        ("django.db.models.base", "ModelState"),
        ("django.db.models.base", "ModelStateFieldsCacheDescriptor"),
    }
)


class _ReadingUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) in _READING_NAMES:
            return super().find_class(module, name)
        if module.startswith("imports."):
            found = super().find_class(module, name)
            if isinstance(found, type):  # the importer's own row and report classes, no function
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a reading")


@dataclass
class ImportReport:
    kind: str
    filename: str = ""
    counts: dict = field(
        default_factory=lambda: {"new": 0, "updated": 0, "unchanged": 0, "invalid": 0}
    )
    member_counts: dict = field(
        default_factory=lambda: {"new": 0, "updated": 0, "removed": 0, "unchanged": 0}
    )
    issues: list[RowIssue] = field(default_factory=list)
    # Values that are possible but unlikely (an income outside the standard's usual range, a
    # date of birth with day and month swapped against the registry): shown, and written only
    # when the user says so (``accept_warnings``).
    warnings: list[RowIssue] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    file_error: str = ""
    committed: bool = False
    rows_read: int = 0
    seconds: float = 0.0
    # The outcome differed from the one previewed, so nothing was written (see ``_Import.run``).
    changed_since_preview: bool = False
    reused_reading: bool = False
    # A commit refused because rows carry warnings the user did not accept.
    warnings_refused: bool = False
    # Only the valid rows were written (the user chose it; the rejected rows were not).
    partial: bool = False

    def outcome(self) -> str:
        """A digest of what a commit would write: the counts and every row's change. Equal
        digests at preview and at confirm mean the user confirms what was shown."""
        summary = repr(
            (
                sorted(self.counts.items()),
                sorted(self.member_counts.items()),
                [(c.sheet, c.row, c.code, c.status, c.basis) for c in self.changes],
            )
        )
        return hashlib.sha256(summary.encode()).hexdigest()

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.issues

    @property
    def has_changes(self) -> bool:
        return bool(self.counts["new"] or self.counts["updated"])

    @property
    def has_valid_changes(self) -> bool:
        """Rows with problems, and valid rows that would change something: what a commit of
        “only the valid rows” needs."""
        return not self.file_error and bool(self.issues) and self.has_changes

    def add(self, sheet: str, row: int, column: str, message: str) -> None:
        self.issues.append(RowIssue(sheet, row, column, message))

    def warn(self, sheet: str, row: int, column: str, message: str) -> None:
        self.warnings.append(RowIssue(sheet, row, column, message))

    def rejected_rows(self) -> dict[int, str]:
        """{row number: its problems as one text} for the rows refused."""
        found: dict[int, list[str]] = {}
        for issue in self.issues:
            found.setdefault(issue.row, []).append(f"{issue.column}: {issue.message}")
        return {row: "; ".join(messages) for row, messages in found.items()}

    def warning_lines(self) -> list[str]:
        return [_("Cảnh báo: %(issue)s") % {"issue": issue} for issue in self.warnings]

    def change_lines(self) -> list[str]:
        """Every row a commit would write, with the fields it changes (old → new)."""
        return [change.line() for change in self.changes]

    def finish_counts(self) -> None:
        self.counts["invalid"] = len({(i.sheet, i.row) for i in self.issues})

    def lines(self) -> list[str]:
        """The report as text lines: the problems, then the summary."""
        return self.problem_lines() + self.summary_lines()

    def problem_lines(self) -> list[str]:
        out = []
        if self.file_error:
            out.append(_("Lỗi: %(message)s") % {"message": self.file_error})
        out.extend(str(issue) for issue in self.issues)
        return out

    def summary_lines(self) -> list[str]:
        out = list(self.notices)
        c = self.counts
        out.append(
            _("Dòng mới: %(new)s · cập nhật: %(updated)s · không đổi: %(unchanged)s · lỗi: %(bad)s")
            % {
                "new": c["new"],
                "updated": c["updated"],
                "unchanged": c["unchanged"],
                "bad": c["invalid"],
            }
        )
        if self.warnings:
            out.append(
                _("Dòng có cảnh báo: %(n)s") % {"n": len({(w.sheet, w.row) for w in self.warnings})}
            )
        if self.kind == "households":
            m = self.member_counts
            out.append(
                _(
                    "Thành viên mới: %(new)s · cập nhật: %(updated)s · bỏ khỏi hộ: %(removed)s · "
                    "không đổi: %(unchanged)s"
                )
                % m
            )
        return out


# --- the importers --------------------------------------------------------------------------

ProgressCallback = Callable[[int, int], None]
# A kept reading is used only by the code that wrote it (the modules that read and hold it).
READING_CODE = hashlib.sha256(
    b"".join(
        (Path(__file__).parent / f"{name}.py").read_bytes()
        for name in ("reader", "columns", "importer", "registry", "results")
    )
).hexdigest()


def _blank(values: list) -> bool:
    for value in values:
        if value is None or value == "":
            continue
        if type(value) is str and not value.strip():
            continue
        return False
    return True


class _Import:
    kind = ""
    #: Whether “only the valid rows” may be written (review results: each row stands alone).
    partial_allowed = False

    def __init__(
        self, *, source, user=None, filename: str = "", progress=None, write_progress=None
    ):
        self.source = source
        self.user = user
        self.filename = filename or os.path.basename(str(getattr(source, "name", source)))
        self.progress = progress  # (rows read, rows declared)
        self.write_progress = write_progress  # (households stored, households to store)
        self.report = ImportReport(self.kind, self.filename)
        self._rows_total = 0
        self._rows_done = 0

    def run(
        self,
        *,
        commit: bool = False,
        keep: os.PathLike | None = None,
        reuse: bytes | None = None,
        expect: str | None = None,
        valid_only: bool = False,
        accept_warnings: bool = False,
    ) -> ImportReport:
        """Check the file; if ``commit`` and nothing is invalid, write it all in one transaction.

        The browser's two steps share the reading of the file, the slow part: the preview
        (``keep``) saves what it read to a file, and the confirm (``reuse``: that file's content,
        which the caller has checked is the one the server wrote) starts from it when
        it was read for the same commune or cycle, the same villages in the user's scope and the
        same language, else it reads the file again. Either way the comparison with the registry
        is made again, inside the transaction that writes; if ``expect`` (the previewed
        :meth:`ImportReport.outcome`) differs from its result, nothing is written and the report
        says so (``changed_since_preview``).

        ``valid_only`` (an explicit choice, never the default; review results only): rows with
        problems are left out and the valid rows are written. ``accept_warnings``: rows with
        warnings are written too; without it a commit of a file with warnings writes nothing
        (``warnings_refused``)."""
        started = time.perf_counter()
        # Hundreds of thousands of small objects stay alive until the end; the cyclic garbage
        # collector would scan them over and over (a large share of an import's time).
        collecting = gc.isenabled()
        gc.disable()
        try:
            with transaction.atomic():
                if commit:
                    _lock_commune(self.commune_of_target())
                self.prepare()
                reading = self._restore(reuse) if reuse else None
                if reading is None:
                    workbook = open_workbook(self.source)
                    try:
                        self.sheet_names = workbook.sheet_names
                        self._rows_total = sum(workbook.declared_rows(n) for n in self.sheet_names)
                        reading = self.read_file(workbook)
                    finally:
                        workbook.close()
                    if keep and not self.report.issues:
                        self._keep(keep, reading)
                else:
                    self.report.reused_reading = True
                self.compare(reading)
                report = self.report
                rank = {name: i for i, name in enumerate(self.sheet_names)}
                report.issues.sort(key=lambda i: (rank.get(i.sheet, len(rank)), i.row))
                report.warnings.sort(key=lambda i: (rank.get(i.sheet, len(rank)), i.row))
                report.finish_counts()
                writable = report.ok or (
                    valid_only and self.partial_allowed and report.has_valid_changes
                )
                if expect is not None and writable and report.outcome() != expect:
                    report.changed_since_preview = True
                elif commit and writable and report.warnings and not accept_warnings:
                    report.warnings_refused = True
                elif commit and writable:
                    self.before_write()
                    self.write()
                    report.committed = True
                    report.partial = not report.ok
        except ImportFileError as exc:
            self.report.file_error = exc.message
        except IntegrityError:
            self.report.committed = False
            self.report.file_error = _(
                "Dữ liệu của xã vừa bị thay đổi trong khi nhập (trùng mã hộ hoặc số CCCD). "
                "Không có gì được ghi; hãy xem trước và nhập lại."
            )
        except ValidationError as exc:
            self.report.committed = False
            self.report.file_error = " ".join(exc.messages)
        finally:
            if collecting:
                gc.enable()
        report = self.report
        report.finish_counts()
        report.seconds = time.perf_counter() - started
        return report

    # -- the reading kept between preview and confirm --

    #: Attributes set while reading the file that the comparison uses.
    reading_attributes: tuple[str, ...] = ()

    def context(self) -> tuple:
        """What a reading of the file depends on besides the file itself."""
        commune = self.commune_of_target()
        return (
            self.kind,
            self.target().pk,
            commune.is_urban,
            sorted((pk, v.name, v.code, v.is_urban, v.valid_to) for pk, v in self.villages.items()),
            sorted(self.editable),
            translation.get_language(),
            READING_CODE,
        )

    def _keep(self, path, reading) -> None:
        state = {
            "context": self.context(),
            "attributes": {name: getattr(self, name) for name in self.reading_attributes},
            "reading": reading,
        }
        with open(path, "wb") as out:
            pickle.dump(state, out, protocol=pickle.HIGHEST_PROTOCOL)

    def _restore(self, data: bytes):
        """The kept reading, or None when it was read in another context. The caller vouches for
        ``data`` (the server wrote it; the session holds its digest, checked on these bytes)."""
        try:
            state = _ReadingUnpickler(io.BytesIO(data)).load()
        except Exception:  # not a reading after all, or not one of ours: read the file
            return None
        if not isinstance(state, dict) or state.get("context") != self.context():
            return None
        for name, value in state["attributes"].items():
            setattr(self, name, value)
        return state["reading"]

    def prepare(self) -> None:  # pragma: no cover - abstract
        """Checks and lookups that do not depend on the file (scope, rights)."""
        raise NotImplementedError

    def target(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def commune_of_target(self) -> Area:
        target = self.target()
        return target if isinstance(target, Area) else target.commune

    def read(self, workbook: Workbook, sheet: str, spec: SheetSpec):
        """Yield (row number, parsed values in ``spec`` order, keys of cells that failed) for
        each non-blank row after the header; cell problems go to the report. Sets
        ``self.present`` to the keys of the columns the file has."""
        header, rows = map_headers(workbook, sheet, spec)
        if header.unknown:
            self.report.notices.append(
                _("Trang “%(sheet)s”: bỏ qua các cột không dùng: %(columns)s.")
                % {"sheet": sheet, "columns": ", ".join(f"“{u}”" for u in header.unknown)}
            )
        present = [
            (index, header.positions[c.key], c.parse, c.required, c.key, header.labels[c.key])
            for index, c in enumerate(spec.columns)
            if c.key in header.positions and not c.informative
        ]
        self.present = {key for *_rest, key, _label in present}
        self.labels = {key: label for *_rest, key, label in present}
        width = len(spec.columns)
        report = self.report
        progress, total = self.progress, max(self._rows_total, 1)
        done = self._rows_done
        short = [(index, position, parse) for index, position, parse, *_rest in present]
        required = [(index, key, label) for index, _p, _f, needed, key, label in present if needed]
        reach = max((position for _i, position, *_rest in present), default=-1) + 1
        for number, values in rows:
            done += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(done, max(total, done))
            if _blank(values):
                continue
            report.rows_read += 1
            ordinary = type(values) is not _SpecialRow
            if len(values) < reach:
                values = values + [None] * (reach - len(values))
            parsed: list = [None] * width
            failed: set[str] = set()
            if ordinary:
                # The short way: no formula can be here, and a row whose cells all parse needs
                # no per-cell bookkeeping. A problem sends the row down the long way.
                try:
                    for index, position, parse in short:
                        parsed[index] = parse(values[position])
                except CellProblem:
                    pass
                else:
                    for index, key, label in required:
                        value = parsed[index]
                        if value is None or value == "":
                            failed.add(key)
                            report.add(sheet, number, label, _("Bắt buộc, không được để trống."))
                    self._rows_done = done
                    yield number, parsed, failed
                    continue
            self._check_cells(sheet, number, values, present, parsed, failed)
            self._rows_done = done
            yield number, parsed, failed
        self._rows_done = done

    def _check_cells(self, sheet, number, values, present, parsed, failed) -> None:
        """The long way: every cell on its own, each problem reported."""
        report = self.report
        for index, position, parse, required, key, label in present:
            raw = values[position]
            if raw is not None and type(raw) in _SPECIAL:
                failed.add(key)
                report.add(
                    sheet,
                    number,
                    label,
                    _("Ô chứa công thức (%(formula)s); hãy nhập giá trị, không dùng công thức.")
                    % {"formula": raw[:40]}
                    if type(raw) is Formula
                    else _("Ô có lỗi Excel %(error)s.") % {"error": raw},
                )
                continue
            try:
                value = parsed[index] = parse(raw)
            except CellProblem as exc:
                failed.add(key)
                report.add(sheet, number, label, str(exc))
                continue
            if required and (value is None or value == ""):
                failed.add(key)
                report.add(sheet, number, label, _("Bắt buộc, không được để trống."))

    def rule_problems(self, rules, values: dict, failed: set, sheet: str, number: int) -> bool:
        """Check ``values`` against the model's field rules; report each problem. True if any."""
        found = False
        for name, message in rules.problems(values).items():
            if name not in failed:
                self.report.add(sheet, number, self.labels.get(name, name), message)
                failed.add(name)
                found = True
        return found

    def read_file(self, workbook: Workbook):  # pragma: no cover - abstract
        """Read and check the rows of the file; what the comparison needs."""
        raise NotImplementedError

    def compare(self, reading) -> None:  # pragma: no cover - abstract
        """Compare what was read with the registry: the changes a commit would write."""
        raise NotImplementedError

    def before_write(self) -> None:
        """Refusals that only a write may give (the preview must not give them)."""

    def write(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


# The first key of the transaction-level advisory lock an import of a commune takes (the second
# is the commune's id); any constant unused elsewhere in the database would do.
IMPORT_LOCK = 4_101


def _lock_commune(commune: Area) -> None:
    """One import of a commune's data at a time: a second confirm of the same file (a second tab,
    a double click) waits for the first to finish, then compares with what it wrote — another
    outcome than the previewed one, so it writes nothing. On SQLite, writers are serialised by
    the database itself."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_LOCK, commune.pk])


def _scope_villages(commune: Area, user) -> tuple[dict[int, Area], set[int]]:
    """The commune's villages, and those ``user`` may change households and results in."""
    villages = {v.pk: v for v in Area.objects.villages().filter(parent=commune)}
    if user is None:  # the shell without --user: the operator imports for the whole commune
        return villages, set(villages)
    editable = set(
        Area.objects.editable_villages(user).filter(parent=commune).values_list("pk", flat=True)
    )
    return villages, editable
