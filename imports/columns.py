"""What a sheet holds and how each cell is read: the one set of cell parsers (numbers through
``core.numbers``, text through ``core.text``), the sheet specs shared with the exports, and the
mapping of a file's header row onto a spec."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import numbers as core_numbers
from core.formatting import format_number
from core.text import fold
from households import services
from households.models import Household, Member
from indicators.models import Indicator

from .limits import HEADER_SEARCH_ROWS, ImportFileError
from .reader import Formula, Workbook


class CellProblem(ValueError):
    """One cell's value cannot be used; the message is for the user."""


class _TooLarge(CellProblem):
    """A number far beyond any column (checked before it is turned into an int)."""


# --- parsing one cell -----------------------------------------------------------------------

_NEUTRALISED = re.compile(r"^'[=+\-@\t\r]")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_text(raw) -> str:
    """Any cell as text: NFC, trimmed. A leading apostrophe that an export added before = + - @,
    a tab or a carriage return (``core.cells.neutralise``, against formula injection) is removed
    again."""
    if raw is None:
        return ""
    if type(raw) is str:
        text = raw.strip()
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        if text[:1] == "'" and _NEUTRALISED.match(text):
            text = text[1:].lstrip()
        return text
    if isinstance(raw, bool):
        return _("có") if raw else _("không")
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else repr(raw)
    if isinstance(raw, datetime.datetime | datetime.date):
        return raw.strftime("%d/%m/%Y")
    raise CellProblem(_("Giá trị không đọc được."))


def parse_number(raw, *, integer: bool = True, shorthand: bool = False):
    """A non-negative number; text read by the site's one grammar, the forms' too
    (core.numbers.parse_amount: "1.500.000", "45,5", in a decimal column "1.295" as 1295, and
    with ``shorthand``, in a money column, "1,2 triệu", "800k")."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool | datetime.date):
        raise CellProblem(_("Phải là một số."))
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    else:
        text = parse_text(raw).replace("\u00a0", " ")
        if not text:
            return None
        try:
            value = core_numbers.parse_amount(text, integer=integer, shorthand=shorthand)
        except core_numbers.NumberError:
            raise CellProblem(
                _("“%(value)s” không phải là một số.") % {"value": text[:40]}
            ) from None
    if value < 0:
        raise CellProblem(_("Không được là số âm."))
    if value >= _HUGE:  # before int(): "1e999999999" would take gigabytes
        raise _TooLarge(_("Số quá lớn."))
    if integer:
        if value != int(value):
            raise CellProblem(_("Phải là số nguyên."))
        return int(value)
    return value


_HUGE = 10**15  # no count, score, area or income of this registry comes near it


def parse_integer(raw) -> int | None:
    return parse_number(raw, integer=True)


def parse_money(raw) -> int | None:
    """Whole đồng, as the forms read them (core.forms.MoneyField): "1.200.000", "1,2 triệu"."""
    return parse_number(raw, integer=True, shorthand=True)


def _at_most(parse: Callable, maximum: Callable[[], int | Decimal]) -> Callable:
    """``parse``, refusing values above ``maximum()`` (what the column holds, or what is
    plausible: services.NUMBER_LIMITS), so that nothing a preview passes fails when written."""

    def parse_bounded(raw):
        limit = maximum()
        try:
            value = parse(raw)
        except _TooLarge:
            raise CellProblem(
                _("Số lớn hơn mức tối đa %(limit)s.") % {"limit": format_number(limit)}
            ) from None
        if value is not None and value > limit:
            raise CellProblem(
                _("%(value)s lớn hơn mức tối đa %(limit)s.")
                % {"value": format_number(value), "limit": format_number(limit)}
            )
        return value

    return parse_bounded


def parse_decimal(raw) -> Decimal | None:
    return parse_number(raw, integer=False)


def parse_date(raw) -> datetime.date | None:
    """dd/mm/yyyy text (also d/m/yyyy, with - or .), yyyy-mm-dd, or an Excel date cell."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raise CellProblem(
            _("Ngày phải có dạng dd/mm/yyyy (ví dụ 05/09/1980) hoặc là ô ngày tháng của Excel.")
        )
    text = parse_text(raw)
    if not text:
        return None
    match = _DMY.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise CellProblem(
            _("“%(value)s” không phải là ngày dạng dd/mm/yyyy (ví dụ 05/09/1980).")
            % {"value": text[:40]}
        )
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise CellProblem(_("Ngày “%(value)s” không có thật.") % {"value": text[:40]}) from None


_YES = frozenset({"co", "yes", "y", "x", "1", "true", "dung", "c"})
_NO = frozenset({"khong", "no", "n", "0", "false", "sai", "k", ""})


_YES_NO_AS_WRITTEN = {"có": True, "không": False, "x": True, "X": True, "Có": True, "Không": False}


def parse_yes_no(raw) -> bool | None:
    """có/không, yes/no, x, 1/0, TRUE/FALSE; blank is None (the caller decides: usually no)."""
    if raw is None:
        return None
    found = _YES_NO_AS_WRITTEN.get(raw) if type(raw) is str else None
    if found is not None:
        return found
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        key = fold(raw)
        if key in _YES:
            return True
        if key in _NO:
            return None if key == "" else False
    raise CellProblem(
        _("“%(value)s” không hợp lệ: hãy dùng có/không, x (có) hoặc 1/0, hoặc để trống (không).")
        % {"value": str(raw)[:40]}
    )


def parse_flag(raw) -> bool:
    """A yes/no cell where blank means no (indicators, health insurance, disability)."""
    return bool(parse_yes_no(raw))


def _choice_parser(choices) -> Callable:
    """Accept a choice by its code or its label (Vietnamese or English, any case, with or
    without diacritics)."""
    keys: dict[str, str] = {}
    as_written: dict[str, str] = {}  # the labels exactly as the template offers them
    for code, label in choices:
        keys[fold(code)] = code
        for language in ("vi", "en"):
            with translation.override(language):
                keys[fold(str(label))] = code
                as_written[str(label)] = code
    labels = [label for _code, label in choices]

    def parse(raw) -> str:
        code = as_written.get(raw) if type(raw) is str else None
        if code is not None:
            return code
        text = parse_text(raw)
        if not text:
            return ""
        code = keys.get(fold(text))
        if code is None:
            raise CellProblem(
                _("“%(value)s” không có trong danh sách: %(choices)s.")
                % {"value": text[:40], "choices": "; ".join(str(x) for x in labels)}
            )
        return code

    return parse


def parse_citizen_id(raw) -> str:
    """12 digits. A number cell lost its leading zeros (every CCCD starts with a 0 province
    code), so they are put back."""
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw < 10**12:
        return f"{raw:012d}"
    if isinstance(raw, float) and raw.is_integer() and 0 <= raw < 10**12:
        return f"{int(raw):012d}"
    return parse_text(raw).replace(" ", "")


# --- columns and sheets ---------------------------------------------------------------------


def header_key(text) -> str:
    """A header as compared: no diacritics, case, spaces, punctuation or unit marks."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("đ", "d").replace("Đ", "D").casefold()
    return re.sub(r"[^a-z0-9]", "", text)


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # lazily translated; the Vietnamese source is always accepted too
    parse: Callable
    hint: str = ""
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple = ()  # labels offered by the template's drop-down
    width: int = 16
    number_format: str | None = None
    informative: bool = False  # written by exports, ignored when importing

    def header_keys(self) -> set[str]:
        names = {str(self.header), *self.aliases}
        with translation.override("vi"):
            names.add(str(self.header))
        return {header_key(n) for n in names}


@dataclass(frozen=True)
class SheetSpec:
    title: str
    columns: tuple[Column, ...]

    @property
    def name(self) -> str:
        return str(self.title)

    def names(self) -> set[str]:
        with translation.override("vi"):
            vi = str(self.title)
        return {header_key(vi), header_key(str(self.title))}


YES_NO = (gettext_lazy("có"), gettext_lazy("không"))

# The Vietnamese locale (LCID 0x042A) on a number format: a spreadsheet program set to another
# language then reads what is typed into the cell the Vietnamese way ("850.000" is 850000, not
# 850), and shows it so.
VI = "[$-42A]"
# Dates are text cells read as dd/mm/yyyy: a date cell is read in the program's language, so
# "05/09/1980" typed in an English one became 9 May 1980.
TEXT = "@"


def _labels(choices) -> tuple:
    return tuple(label for _code, label in choices)


def household_sheet() -> SheetSpec:
    H = Household
    return SheetSpec(
        gettext_lazy("Hộ gia đình"),
        (
            Column(
                "code",
                gettext_lazy("Mã hộ"),
                parse_text,
                gettext_lazy("Bắt buộc. Mã hộ, duy nhất trong xã (ví dụ VH01-0001)."),
                required=True,
                aliases=("mã hộ gia đình", "mã số hộ"),
                width=14,
                number_format="@",
            ),
            Column(
                "village",
                gettext_lazy("Thôn"),
                parse_text,
                gettext_lazy("Bắt buộc. Tên thôn / tổ dân phố trong xã, chọn từ danh sách."),
                required=True,
                aliases=("thôn, tổ dân phố", "thôn/tổ", "tên thôn", "thôn bản"),
                width=18,
            ),
            Column(
                "head_name",
                gettext_lazy("Chủ hộ"),
                parse_text,
                gettext_lazy("Bắt buộc. Họ và tên chủ hộ."),
                required=True,
                aliases=("họ tên chủ hộ", "tên chủ hộ", "họ và tên chủ hộ"),
                width=24,
            ),
            Column("address", gettext_lazy("Địa chỉ"), parse_text, width=24),
            Column("ethnicity", gettext_lazy("Dân tộc"), parse_text, width=10),
            Column(
                "phone",
                gettext_lazy("Điện thoại"),
                parse_text,
                gettext_lazy("Nhập dạng văn bản để giữ số 0 ở đầu."),
                aliases=("số điện thoại",),
                width=13,
                number_format="@",
            ),
            Column(
                "is_urban",
                gettext_lazy("Thành thị"),
                parse_yes_no,
                gettext_lazy("có / không. Để trống: theo thôn."),
                choices=YES_NO,
                width=10,
            ),
            Column(
                "floor_area_m2",
                gettext_lazy("Diện tích nhà ở (m²)"),
                _at_most(parse_decimal, lambda: services.FLOOR_AREA_MAX),
                gettext_lazy("Số, lớn hơn 0, một chữ số thập phân (ví dụ 45,5)."),
                aliases=("diện tích nhà ở", "diện tích nhà", "diện tích"),
                width=12,
                number_format=VI + "0.0",
            ),
            Column(
                "house_material",
                gettext_lazy("Chất lượng nhà ở"),
                _choice_parser(H.Material.choices),
                gettext_lazy("Chọn từ danh sách."),
                choices=_labels(H.Material.choices),
                width=20,
            ),
            Column(
                "water_source",
                gettext_lazy("Nguồn nước sinh hoạt"),
                _choice_parser(H.Water.choices),
                gettext_lazy("Chọn từ danh sách."),
                aliases=("nguồn nước",),
                choices=_labels(H.Water.choices),
                width=24,
            ),
            Column(
                "latrine",
                gettext_lazy("Nhà tiêu"),
                _choice_parser(H.Latrine.choices),
                gettext_lazy("Chọn từ danh sách."),
                choices=_labels(H.Latrine.choices),
                width=16,
            ),
            Column(
                "left_registry_on",
                gettext_lazy("Ra khỏi danh sách ngày"),
                parse_date,
                gettext_lazy("dd/mm/yyyy. Để trống nếu hộ vẫn ở trong danh sách."),
                width=14,
                number_format=TEXT,
            ),
        ),
    )


def member_sheet() -> SheetSpec:
    M = Member
    return SheetSpec(
        gettext_lazy("Thành viên"),
        (
            Column(
                "household",
                gettext_lazy("Mã hộ"),
                parse_text,
                gettext_lazy("Bắt buộc. Mã hộ như ở trang Hộ gia đình."),
                required=True,
                aliases=("mã hộ gia đình", "mã số hộ"),
                width=14,
                number_format="@",
            ),
            Column(
                "full_name",
                gettext_lazy("Họ và tên"),
                parse_text,
                gettext_lazy("Bắt buộc."),
                required=True,
                aliases=("họ tên",),
                width=24,
            ),
            Column(
                "sex",
                gettext_lazy("Giới tính"),
                _choice_parser(M.Sex.choices),
                gettext_lazy("Bắt buộc. Nam / Nữ."),
                required=True,
                choices=_labels(M.Sex.choices),
                width=9,
            ),
            Column(
                "date_of_birth",
                gettext_lazy("Ngày sinh"),
                parse_date,
                gettext_lazy("dd/mm/yyyy (ví dụ 05/09/1980)."),
                width=12,
                number_format=TEXT,
            ),
            Column(
                "relation_to_head",
                gettext_lazy("Quan hệ với chủ hộ"),
                _choice_parser(M.Relation.choices),
                gettext_lazy("Bắt buộc. Chọn từ danh sách."),
                required=True,
                aliases=("quan hệ",),
                choices=_labels(M.Relation.choices),
                width=14,
            ),
            Column(
                "citizen_id",
                gettext_lazy("Số CCCD"),
                parse_citizen_id,
                gettext_lazy("12 chữ số, nhập dạng văn bản. Không trùng với người khác."),
                aliases=("cccd", "số định danh", "số định danh cá nhân", "cmnd/cccd"),
                width=15,
                number_format="@",
            ),
            Column("ethnicity", gettext_lazy("Dân tộc"), parse_text, width=10),
            Column(
                "has_health_insurance",
                gettext_lazy("Có thẻ BHYT"),
                parse_flag,
                gettext_lazy("có / không. Để trống: không."),
                aliases=("bhyt", "thẻ bhyt"),
                choices=YES_NO,
                width=10,
            ),
            Column(
                "schooling",
                gettext_lazy("Học vấn"),
                _choice_parser(M.Schooling.choices),
                gettext_lazy("Chọn từ danh sách."),
                aliases=("trình độ học vấn",),
                choices=_labels(M.Schooling.choices),
                width=22,
            ),
            Column(
                "work_status",
                gettext_lazy("Việc làm"),
                _choice_parser(M.Work.choices),
                gettext_lazy("Chọn từ danh sách."),
                choices=_labels(M.Work.choices),
                width=26,
            ),
            Column(
                "has_disability",
                gettext_lazy("Khuyết tật"),
                parse_flag,
                gettext_lazy("có / không. Để trống: không."),
                choices=YES_NO,
                width=10,
            ),
        ),
    )


def assessment_sheet(indicators: Sequence[Indicator], *, errors: bool = False) -> SheetSpec:
    """Household code, income and/or B1 score, one yes/no column per indicator of the standard.
    Head, village and class are written by the export for reading and ignored on import.
    ``errors``: with the last column of the file of rejected rows (ignored on import too)."""
    columns = [
        Column(
            "code",
            gettext_lazy("Mã hộ"),
            parse_text,
            gettext_lazy("Bắt buộc. Mã hộ đã có trong danh sách hộ của xã."),
            required=True,
            aliases=("mã hộ gia đình", "mã số hộ"),
            width=14,
            number_format="@",
        ),
        Column("head_name", gettext_lazy("Chủ hộ"), parse_text, width=24, informative=True),
        Column("village", gettext_lazy("Thôn"), parse_text, width=16, informative=True),
        Column(
            "member_count",
            gettext_lazy("Số nhân khẩu"),
            _at_most(parse_integer, lambda: services.MEMBER_COUNT_MAX),
            gettext_lazy("Số nguyên ≥ 1. Để trống: đếm theo danh sách thành viên."),
            aliases=("nhân khẩu", "số người"),
            width=10,
            number_format=VI + "0",
        ),
        Column(
            "income_per_capita",
            gettext_lazy("Thu nhập bình quân (đồng/người/tháng)"),
            _at_most(parse_money, lambda: services.INCOME_MAX),
            gettext_lazy("Số nguyên không âm, đồng/người/tháng. Cần thu nhập hoặc điểm B1."),
            aliases=("thu nhập bình quân", "thu nhập", "thu nhập bình quân đầu người"),
            width=16,
            number_format=VI + "#,##0",
        ),
        Column(
            "b1_score",
            gettext_lazy("Điểm B1"),
            _at_most(parse_integer, services.b1_score_max),
            gettext_lazy("Số nguyên không âm (điểm thu nhập của phiếu B)."),
            aliases=("b1", "điểm thu nhập"),
            width=9,
            number_format=VI + "0",
        ),
    ]
    for indicator in indicators:
        columns.append(
            Column(
                f"indicator:{indicator.code}",
                f"{indicator.code} {indicator.name}",
                parse_flag,
                gettext_lazy("Thiếu hụt? có / không (x hoặc 1 = có; để trống = không)."),
                required=True,
                choices=YES_NO,
                width=11,
            )
        )
    columns.append(
        Column("class", gettext_lazy("Phân loại"), parse_text, width=16, informative=True)
    )
    if errors:
        columns.append(ERRORS_COLUMN)
    return SheetSpec(gettext_lazy("Kết quả rà soát"), tuple(columns))


ERRORS_COLUMN = Column(
    "errors",
    gettext_lazy("Lỗi cần sửa"),
    parse_text,
    gettext_lazy("Lý do dòng chưa được nhập; sửa rồi nhập lại tệp này."),
    aliases=("lỗi",),
    width=60,
    informative=True,
)


_INDICATOR_HEADER = re.compile(r"(?<![\d.])(\d{1,2}\.\d{1,2})(?![\d.])")


@dataclass
class HeaderMap:
    row: int
    positions: dict[str, int]  # column key -> 0-based index
    labels: dict[str, str]  # column key -> header as written in the file
    unknown: list[str]


def map_headers(wb: Workbook, sheet: str, spec: SheetSpec) -> tuple[HeaderMap, Iterator]:
    """Find the header row (one of the first rows) and map it to ``spec``'s columns; return the
    map and the iterator positioned after the header row."""
    rows = wb.rows(sheet)
    required = [c for c in spec.columns if c.required]
    by_key: dict[str, Column] = {}
    for column in spec.columns:
        if not column.key.startswith("indicator:"):
            for key in column.header_keys():
                by_key.setdefault(key, column)
    indicators = {c.key.split(":", 1)[1]: c for c in spec.columns if c.key.startswith("indicator:")}
    best = None
    for seen, (number, values) in enumerate(rows, start=1):
        headers = [parse_text(v) if not isinstance(v, Formula) else "" for v in values]
        found = _match(headers, by_key, indicators)
        if any(headers) and (best is None or len(found[0]) > len(best[1][0])):
            best = (number, found, headers)
        if any(headers) and all(c.key in found[0] for c in required):
            return _checked_header(sheet, number, headers, found, spec), rows
        if seen >= HEADER_SEARCH_ROWS:
            break
    if best is None:
        raise ImportFileError(
            _("Trang “%(sheet)s” trống: không có dòng tiêu đề, không có dữ liệu.")
            % {"sheet": sheet}
        )
    number, (positions, _labels_found, _unknown), headers = best
    missing = [str(c.header) for c in required if c.key not in positions]
    raise ImportFileError(
        _(
            "Trang “%(sheet)s” thiếu cột bắt buộc: %(missing)s. Dòng tiêu đề (dòng %(row)s) có: "
            "%(present)s. Hãy dùng tệp mẫu, không đổi tên cột."
        )
        % {
            "sheet": sheet,
            "missing": ", ".join(f"“{m}”" for m in missing),
            "row": number,
            "present": ", ".join(f"“{h}”" for h in headers if h) or _("(trống)"),
        }
    )


def _match(headers, by_key, indicators):
    positions: dict[str, int] = {}
    labels: dict[str, str] = {}
    unknown: list[str] = []
    duplicates: list[str] = []
    for index, header in enumerate(headers):
        if not header:
            continue
        column = by_key.get(header_key(header))
        key = column.key if column else None
        if key is None and indicators:
            match = _INDICATOR_HEADER.search(header)
            if match and match.group(1) in indicators:
                key = indicators[match.group(1)].key
        if key is None:
            unknown.append(header)
        elif key in positions:
            duplicates.append(header)
        else:
            positions[key] = index
            labels[key] = header
    if duplicates:
        labels["__duplicates__"] = duplicates  # type: ignore[assignment]
    return positions, labels, unknown


def _checked_header(sheet, number, headers, found, spec) -> HeaderMap:
    positions, labels, unknown = found
    duplicates = labels.pop("__duplicates__", [])
    if duplicates:
        raise ImportFileError(
            _("Trang “%(sheet)s”: cột “%(column)s” xuất hiện hai lần ở dòng tiêu đề %(row)s.")
            % {"sheet": sheet, "column": duplicates[0], "row": number}
        )
    last = max(i for i, h in enumerate(headers) if h)
    for index in range(last):
        if not headers[index]:
            raise ImportFileError(
                _(
                    "Trang “%(sheet)s”: ô tiêu đề ở cột %(letter)s (dòng %(row)s) trống — có thể "
                    "do gộp ô. Mỗi cột cần một tiêu đề riêng; hãy bỏ gộp ô ở dòng tiêu đề."
                )
                % {"sheet": sheet, "letter": _letter(index), "row": number}
            )
    return HeaderMap(number, positions, labels, unknown)


def _letter(index: int) -> str:
    return openpyxl.utils.get_column_letter(index + 1)


def find_sheet(wb: Workbook, spec: SheetSpec, *, others: Sequence[SheetSpec] = ()) -> str | None:
    """The sheet named like ``spec`` (any case, with or without diacritics); else, when only one
    sheet is neither an instructions sheet nor named like one of ``others``, that one."""
    wanted = spec.names()
    for name in wb.sheet_names:
        if header_key(name) in wanted:
            return name
    skip = set(IGNORED_SHEETS)
    for other in others:
        skip |= other.names()
    candidates = [n for n in wb.sheet_names if header_key(n) not in skip]
    return candidates[0] if len(candidates) == 1 else None


IGNORED_SHEETS = {header_key(n) for n in ("Hướng dẫn", "Danh mục", "Huong dan", "Instructions")}
