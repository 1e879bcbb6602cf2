"""Reading a commune's registry and review results from Excel (.xlsx): checks, a preview, and an
all-or-nothing commit through ``services.py``.

The same code serves the browser (upload → preview → confirm) and the shell commands
(``import_households``, ``import_assessments``):

1. the file is checked as a whole (size, that it really is an .xlsx, headers);
2. each sheet is read as a stream, row by row (openpyxl read-only opens the workbook, shared
   strings and styles; the cells of each row are taken from the sheet's XML as it is parsed, which
   is cheaper per cell than openpyxl's cell objects — see docs/decisions-import.md);
3. every cell is parsed (text in NFC and trimmed, dd/mm/yyyy or Excel dates, yes/no/có/không/x/1/0
   or blank) and every row checked; each problem is reported with its sheet, row number, column
   and a reason in Vietnamese;
4. the database is read once per table (a few thousand keys per query) to find duplicates, scope
   and what changes;
5. only if no row is invalid, and only when asked, everything is written in one transaction.
"""

from __future__ import annotations

import datetime
import gc
import hashlib
import logging
import os
import pickle
import re
import struct
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from xml.etree.ElementTree import ParseError, fromstring, iterparse

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import SHARED_STRINGS

from areas.models import Area
from core import numbers as core_numbers
from core.chunks import chunks
from core.formatting import format_decimal, format_number
from core.text import fold
from indicators.models import Indicator
from indicators.rules import ClassificationError, classify

from . import services
from .models import Assessment, Deprivation, Household, Member, ReviewCycle

logger = logging.getLogger("povertyplan.security")

# --- limits ---------------------------------------------------------------------------------
# Every limit is a setting (povertyplan/settings.py, from the environment).


def max_bytes() -> int:
    """The largest file accepted (settings.IMPORT_MAX_BYTES, 20 MB by default)."""
    return int(settings.IMPORT_MAX_BYTES)


def max_rows() -> int:
    """The most rows read from one sheet, blank ones included (settings.IMPORT_MAX_ROWS)."""
    return int(settings.IMPORT_MAX_ROWS)


def max_part_bytes() -> int:
    """The largest unpacked size of one part of the archive."""
    return int(settings.IMPORT_MAX_UNPACKED_PART_BYTES)


def max_total_bytes() -> int:
    """The largest unpacked size of all parts together."""
    return int(settings.IMPORT_MAX_UNPACKED_TOTAL_BYTES)


def max_shared_strings_bytes() -> int:
    """The largest unpacked shared-strings table (it is held in memory whole)."""
    return int(settings.IMPORT_MAX_SHARED_STRINGS_BYTES)


def max_parts() -> int:
    """The most entries in the archive."""
    return int(settings.IMPORT_MAX_PARTS)


# The longest run of XML that a parser has to hold whole: a tag with its attributes, a comment,
# a processing instruction, a CDATA section, or text between two tags. Excel caps a cell at 32,767
# characters (under 100 KB of UTF-8); a longer run is no spreadsheet and would make expat buffer
# it (about twice its size) however small the limits above are.
MAX_MARKUP_RUN = 2 * 1024 * 1024
# The longest <row> the scanner buffers (16,384 columns of a few dozen bytes each).
MAX_ROW_BYTES = 4 * 1024 * 1024
# Rows between two progress reports to the import page: how often the bar moves, not a setting.
PROGRESS_EVERY = 2000
HEADER_SEARCH_ROWS = 10  # a title block above the header row is allowed


def megabytes(n: int) -> str:
    """A size in MB as Vietnamese write it (one decimal, comma)."""
    return format_decimal(n / (1024 * 1024), 1)


class ImportFileError(Exception):
    """The file as a whole cannot be used; ``message`` tells the user why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CellProblem(ValueError):
    """One cell's value cannot be used; the message is for the user."""


class _TooLarge(CellProblem):
    """A number far beyond any column (checked before it is turned into an int)."""


class Formula(str):
    """The text of a formula found in a cell (formulas are refused: their result is unchecked)."""


class ErrorValue(str):
    """An Excel error value such as ``#N/A``."""


_SPECIAL = frozenset({Formula, ErrorValue})


# --- reading the workbook -------------------------------------------------------------------

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _C, _V, _F, _IS, _T, _R = (_MAIN + t for t in ("row", "c", "v", "f", "is", "t", "r"))
_SI = _MAIN + "si"
_COLUMN_INDEX: dict[str, int] = {}  # "AB" -> 27, filled as columns are met
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _column_index(ref: str) -> int:
    """ "C12" -> 2 (0-based)."""
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        else:
            break
    return n - 1


def _inline_text(element) -> str:
    if element is None:
        return ""
    direct = element.find(_T)
    if direct is not None:
        return direct.text or ""
    # Rich text: the runs' texts, without phonetic guides.
    return "".join(run.findtext(_T) or "" for run in element.iter(_R))


class _Cells:
    """What turns a cell's <v> text into a value: the shared strings, which styles are dates,
    and the workbook's date epoch."""

    __slots__ = ("shared", "date_styles", "epoch")

    def __init__(self, shared, date_styles, epoch):
        self.shared, self.date_styles, self.epoch = shared, date_styles, epoch

    def decode(self, raw: str | None, kind: str | None, style: str | None):
        if not raw:
            return None
        if kind == "s":
            return self.shared[int(raw)]
        if kind is None or kind == "n":
            value = float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)
            if style and int(style) in self.date_styles:
                return _date_of(value, self.epoch)
            return value
        if kind == "str":
            return raw
        if kind == "b":
            return raw == "1"
        if kind == "d":
            return from_ISO8601(raw)
        return ErrorValue(raw)


def _date_of(serial, epoch):
    """An Excel date serial as a datetime; a serial no calendar holds stays a number (the date
    parser then says the cell is no date)."""
    try:
        return from_excel(serial, epoch)
    except (OverflowError, ValueError):
        return serial


def _place(values: list, index: int, value) -> None:
    if index > len(values):
        values.extend([None] * (index - len(values)))
    if index == len(values):
        values.append(value)
    else:
        values[index] = value


def _index(ref: str | None, values: list) -> int:
    if not ref:
        return len(values)
    letters = ref.rstrip("0123456789")
    index = _COLUMN_INDEX.get(letters)
    if index is None:
        index = _COLUMN_INDEX[letters] = _column_index(letters)
    return index


class _SpecialRow(list):
    """A row holding a formula or an Excel error value (only the XML path makes these), so the
    checks can take the short way for every other row."""


def _row_values(row, cells: _Cells) -> list:
    """The values of one parsed <row> element."""
    values: list = []
    special = False
    for cell in row:
        if cell.tag != _C:
            continue
        index = _index(cell.get("r"), values)
        kind = cell.get("t")
        # The common cell holds one <v>: take it without searching.
        child = cell[0] if len(cell) == 1 else None
        if child is not None and child.tag == _V:
            value = cells.decode(child.text, kind, cell.get("s"))
        elif (formula := cell.find(_F)) is not None:
            value = Formula("=" + (formula.text or ""))
        elif kind == "inlineStr":
            value = _inline_text(cell.find(_IS))
        else:
            value = cells.decode(cell.findtext(_V), kind, cell.get("s"))
        special = special or type(value) in _SPECIAL
        _place(values, index, value)
    return _SpecialRow(values) if special else values


def _rows_parsed(source, cells: _Cells) -> Iterator[tuple[int, list]]:
    """Rows through the XML parser. End events only: a start event per element would double
    the Python-level work; the emptied row elements stay in the tree (a few dozen bytes each),
    which the row limit bounds."""
    number = 0
    for _event, element in iterparse(source):
        if element.tag == _ROW:
            ref = element.get("r")
            number = int(ref) if ref else number + 1
            values = _row_values(element, cells)
            element.clear()
            yield number, values


# The scanned path. A sheet written by Excel, LibreOffice or openpyxl is a long run of
# <row r="…"><c r="…" s="…" t="…"><v>…</v></c>…</row>; finding those with regular expressions
# costs much less than building elements for them (docs/decisions-import.md). It is used only for
# plain sheets (Workbook._plain), and only for rows whose every cell is <v> or a plain inline
# string and whose text is fully accounted for by the cells; any other row goes through the XML
# parser, so formulas, rich text and anything unusual are read exactly as above.
_PLAIN_HEAD = re.compile(
    rb'<worksheet\b[^>]*\sxmlns="http://schemas\.openxmlformats\.org/spreadsheetml/2006/main"'
    rb"[^>]*>"
)
_DECLARATION = re.compile(rb'xmlns(?::\w+)?="[^"]*"')
_OTHER_ENCODING = re.compile(rb'encoding="(?![Uu][Tt][Ff]-8")')
_NOT_PLAIN = (b"<!--", b"<![CDATA[", b"<!DOCTYPE", b"<!ENTITY")
_PLAIN_SST = re.compile(
    rb'<sst\b[^>]*\sxmlns="http://schemas\.openxmlformats\.org/spreadsheetml/2006/main"'
)
_SI_SCAN = re.compile(rb'<si><t(?: xml:space="preserve")?>([^<]*)</t></si>')
_ROW_SCAN = re.compile(rb"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
# A plain cell: reference, optional style and type (in the order Excel, LibreOffice and
# openpyxl write them), and nothing, a <v> or a plain inline string.
_CELL_SCAN = re.compile(
    rb'<c r="([A-Z]{1,3})[0-9]+"(?: s="([0-9]+)")?(?: t="([a-zA-Z]+)")?'
    rb'(?:/>|>(?:<v>([^<]*)</v>|<is><t(?: xml:space="preserve")?>([^<]*)</t></is>)?</c>)'
)
_COLUMN_BYTES: dict[bytes, int] = {}
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _unescape(text: str) -> str:
    def one(match):
        name = match.group(1)
        if name[0] == "#":
            return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))
        return _NAMED[name]

    return _ENTITY.sub(one, text)


def _text(raw: bytes) -> str:
    """Character data as an XML parser gives it: entities replaced, line ends normalised."""
    text = raw.decode()
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = _unescape(text)
    return text


def _scan_cells(content: bytes, cells: _Cells) -> list | None:
    """The values of a row's content, or None when a cell is not plain (the caller then parses
    the row). One expression finds every plain cell; if it found fewer than the row's elements
    (only <c> elements sit in a row's data), some cell is not plain."""
    found = _CELL_SCAN.findall(content)
    if not found or len(found) != content.count(b"<c"):
        return None if content.count(b"<c") else []
    columns = _COLUMN_BYTES
    for letters, *_rest in found:
        if letters not in columns:
            columns[letters] = _column_index(letters.decode())
    values: list = [None] * (columns[found[-1][0]] + 1)
    shared, date_styles = cells.shared, cells.date_styles
    try:
        for letters, style, kind, raw, inline in found:
            if not raw:
                value = _text(inline) if kind == b"inlineStr" else None
            elif kind == b"s":
                value = shared[int(raw)]
            elif not kind or kind == b"n":
                value = float(raw) if (b"." in raw or b"E" in raw or b"e" in raw) else int(raw)
                if style and int(style) in date_styles:
                    value = _date_of(value, cells.epoch)
            else:
                value = cells.decode(_text(raw), kind.decode(), style.decode() or None)
            values[columns[letters]] = value
    except IndexError:
        return None  # cells out of column order, or a shared string out of range: parse
    return values


def _rows_scanned(source, cells: _Cells, namespaces: bytes) -> Iterator[tuple[int, list]]:
    # A row that is not plain is parsed on its own, inside the root's namespace declarations
    # (Excel puts prefixed attributes such as x14ac:dyDescent on rows and cells).
    opening = b"<row " + namespaces + b">"
    number = 0
    buffer = b""
    while True:
        chunk = source.read(1 << 20)
        buffer += chunk
        # Up to the last row that is surely whole: one that ended, or the one after which
        # another began (rows may be empty elements, <row r="7"/>).
        cut = (
            len(buffer)
            if not chunk
            else max(buffer.rfind(b"</row>") + 6, buffer.rfind(b"<row", len(buffer) - len(chunk)))
        )
        if cut < 6 and chunk:
            if len(buffer) > MAX_ROW_BYTES:
                raise ImportFileError(_row_too_long())
            continue
        for match in _ROW_SCAN.finditer(buffer, 0, cut):
            attrs, content = match.group(1), match.group(2)
            found = _ROW_NUMBER.search(attrs)
            number = int(found.group(1)) if found else number + 1
            values = _scan_cells(content, cells) if content else []
            if values is None:
                row = fromstring(opening + content + b"</row>")
                values = _row_values(row, cells)
            yield number, values
        if not chunk:
            if not buffer.rstrip().endswith(b"</worksheet>"):
                raise EOFError("the sheet ends early")  # reported as a damaged sheet
            return
        buffer = buffer[cut:]


def _row_too_long() -> str:
    return _("Một dòng của bảng tính dài hơn %(size)s MB, không phải một bảng kê. Không nhập.") % {
        "size": megabytes(MAX_ROW_BYTES)
    }


def _sniff(head: bytes) -> str:
    """Why a file that is not a zip archive cannot be an .xlsx."""
    if head.startswith(_OLE2):
        return _(
            "Tệp là định dạng Excel cũ (.xls, Excel 97–2003) hoặc tệp Excel có đặt mật khẩu. "
            "Hãy mở tệp bằng Excel, bỏ mật khẩu nếu có, rồi lưu lại dưới dạng "
            "“Excel Workbook (.xlsx)”."
        )
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text[:1] == b"<":
        return _("Tệp là HTML hoặc XML, không phải bảng tính .xlsx. Hãy lưu lại dưới dạng .xlsx.")
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError:
        decoded = ""
    if decoded and all(ch.isprintable() or ch in "\r\n\t" for ch in decoded[:-4]):
        return _(
            "Tệp là văn bản (CSV) được đổi đuôi thành .xlsx. Hãy mở bằng Excel rồi lưu lại dưới "
            "dạng “Excel Workbook (.xlsx)”."
        )
    return _("Tệp không phải là bảng tính Excel .xlsx.")


def _shared_strings(archive, name: str) -> list[str]:
    """The shared-strings table, read the way the cells are (openpyxl builds an object per
    string, too slow for a file with hundreds of thousands of citizen IDs), a megabyte
    at a time so that nothing but the strings themselves is held. A plain table (every entry a
    single <t>) is scanned; any other is parsed, as a stream too."""
    with archive.open(name) as source:
        strings = _shared_strings_scanned(source)
    if strings is None:
        strings = []
        with archive.open(name) as source:
            for _event, element in iterparse(source):
                if element.tag == _SI:
                    strings.append(_inline_text(element))
                    element.clear()
    return [text.replace("x005F_", "") if "x005F_" in text else text for text in strings]


def _shared_strings_scanned(source) -> list[str] | None:
    """The strings of a plain table, or None when some entry is not plain (rich text, a comment,
    a CDATA section...): the caller then parses the table."""
    strings: list[str] = []
    buffer = b""
    first = True
    while True:
        chunk = source.read(1 << 20)
        buffer += chunk
        if first:
            if not _PLAIN_SST.search(buffer[:4096]):
                return None
            first = False
        cut = len(buffer) if not chunk else buffer.rfind(b"</si>") + 5
        if cut < 5 and chunk:
            if len(buffer) > MAX_MARKUP_RUN:
                return None  # one entry longer than any cell: let the parser judge it
            continue
        segment = buffer[:cut]
        if any(token in segment for token in _NOT_PLAIN):
            return None
        found = _SI_SCAN.findall(segment)
        if len(found) != segment.count(b"<si>") + segment.count(b"<si "):
            return None  # some entry is rich text or unusual: parse them all
        strings.extend(_text(raw) for raw in found)
        if not chunk:
            return strings
        buffer = buffer[cut:]


# --- unpacking within limits ------------------------------------------------------------------
# An .xlsx is a zip archive: a small upload may unpack to gigabytes ("zip bomb"). The central
# directory's sizes are checked before anything is read, and every part is read through
# _Unpacking, which counts the bytes really unpacked (declared sizes can lie) and stops past the
# limits, and which refuses what no spreadsheet contains and an XML parser would take too far:
# a DTD (entity declarations: "billion laughs", external entities), or one run of markup longer
# than MAX_MARKUP_RUN (expat holds a whole tag, comment or processing instruction in memory).

_MARKUP_ENDS = {b"<!--": b"-->", b"<![CDATA[": b"]]>", b"<?": b"?>"}
_EOCD = b"PK\x05\x06"


def _too_big(unpacked: int) -> ImportFileError:
    return ImportFileError(
        _(
            "Tệp giải nén ra hơn %(size)s MB, quá lớn so với một bảng kê (có thể là tệp độc "
            "hại). Không nhập."
        )
        % {"size": megabytes(unpacked)}
    )


def _not_a_spreadsheet_xml() -> ImportFileError:
    return ImportFileError(
        _(
            "Tệp chứa nội dung XML mà bảng tính Excel không có (khai báo DTD/ENTITY hoặc một "
            "đoạn quá dài); có thể là tệp độc hại. Không nhập. Hãy mở bằng Excel và lưu lại."
        )
    )


def _check_directory(fh) -> None:
    """Refuse an archive whose central directory lists too many entries, before zipfile builds
    an object for each of them."""
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    fh.seek(max(0, size - (1 << 16) - 22))
    tail = fh.read()
    fh.seek(0)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) < at + 22:
        return  # zipfile reports the damage
    # After the signature: this disk, the directory's disk, entries on this disk (2 bytes
    # each), entries in all (2), the directory's size (4).
    entries, directory = struct.unpack("<HI", tail[at + 10 : at + 16])
    # Each entry takes at least 46 bytes; 0xFFFF / 0xFFFFFFFF mean a ZIP64 archive, which no
    # workbook needs.
    if entries > max_parts() or directory > max_parts() * 1024:
        raise ImportFileError(
            _("Tệp nén có quá nhiều thành phần (hơn %(n)s); không phải một bảng kê. Không nhập.")
            % {"n": max_parts()}
        )


class _Budget:
    """The unpacked bytes of each part (the most read in any one pass: a sheet is read twice)
    and of all parts together."""

    def __init__(self):
        self.part = max_part_bytes()
        self.total = max_total_bytes()
        self.seen: dict[str, int] = {}
        self.used = 0
        self.inspected: set[str] = set()  # parts read to their end and found clean

    def count(self, name: str, done: int, limit: int) -> None:
        if done > limit:
            raise _too_big(limit)
        before = self.seen.get(name, 0)
        if done > before:
            self.seen[name] = done
            self.used += done - before
            if self.used > self.total:
                raise _too_big(self.total)


def _markup_start(window: bytes, at: int) -> int:
    """Where the first "<!" or "<?" at or after ``at`` begins, or -1. "<" is in every few bytes
    of a sheet, "!" and "?" hardly ever, so those are looked for (faster than
    ``find(b"<!")``); a window full of them falls back to the plain search."""
    best = -1
    for mark in (b"!", b"?"):
        found = window.find(mark, at + 1)
        misses = 0
        while found > 0 and window[found - 1] != 0x3C:  # not after a "<"
            misses += 1
            if misses > 64:
                found = window.find(b"<" + mark, found) + 1
                break
            found = window.find(mark, found + 1)
        if found > 0 and (best < 0 or found - 1 < best):
            best = found - 1
    return best


class _Unpacking:
    """A part of the archive as it is unpacked, within the budget (see above)."""

    __slots__ = ("_stream", "_name", "_budget", "_limit", "_done", "_pending", "_closing", "_run")

    def __init__(self, stream, name: str, budget: _Budget, limit: int):
        self._stream, self._name, self._budget, self._limit = stream, name, budget, limit
        self._done = 0
        self._pending = b""  # the last few bytes, when they may begin a token the next read ends
        self._closing: bytes | None = None  # the end of the comment, PI or CDATA we are in
        self._run = 0  # bytes since the last "<" (outside those), or inside one of them

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            parts = []
            while chunk := self.read(1 << 16):
                parts.append(chunk)
            return b"".join(parts)
        data = self._stream.read(min(n, 1 << 20))
        budget = self._budget
        if data:
            if not self._done and data[:2] in (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<"):
                raise _not_a_spreadsheet_xml()  # UTF-16: the checks below read UTF-8
            self._done += len(data)
            budget.count(self._name, self._done, self._limit)
            if self._name not in budget.inspected:  # a sheet is read twice: inspect it once
                self._inspect(self._pending + data if self._pending else data)
        elif n:
            budget.inspected.add(self._name)
        return data

    def _inspect(self, window: bytes) -> None:
        n = len(window)
        at = 0
        self._pending = b""
        while at < n:
            closing = self._closing
            if closing is not None:
                end = window.find(closing, at)
                if end < 0:
                    self._grow(n - at)
                    self._pending = window[n - len(closing) + 1 :]
                    return
                self._grow(end - at)
                self._closing, self._run = None, 0
                at = end + len(closing)
                continue
            start = _markup_start(window, at)
            if start < 0:
                break
            self._text(window, at, start)
            if start + 9 > n:
                self._pending = window[start:]  # decided with the next bytes
                return
            head = window[start : start + 9]
            if head.startswith((b"<!DOCTYPE", b"<!ENTITY")):
                raise _not_a_spreadsheet_xml()
            opener = next((o for o in _MARKUP_ENDS if head.startswith(o)), None)
            if opener is None:
                at = start + 2  # not well-formed: the parser says so
                continue
            self._closing, self._run = _MARKUP_ENDS[opener], 0
            at = start + len(opener)
        if at < n:
            self._text(window, at, n)
            last = window.rfind(b"<", max(at, n - 8))
            if last >= 0:
                self._pending = window[last:]

    def _grow(self, size: int) -> None:
        self._run += size
        if self._run > MAX_MARKUP_RUN:
            raise _not_a_spreadsheet_xml()

    def _text(self, window: bytes, start: int, end: int) -> None:
        """Tags and text between ``start`` and ``end``: a "<" must come every MAX_MARKUP_RUN."""
        first = window.find(b"<", start, end)
        if first < 0:
            self._grow(end - start)
            return
        self._grow(first - start)
        self._run = end - window.rfind(b"<", start, end) - 1
        self._grow(0)

    def close(self) -> None:
        self._stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _LimitedZip(zipfile.ZipFile):
    """A zip archive whose parts are read through :class:`_Unpacking`."""

    budget: _Budget
    limits: dict[str, int]

    def open(self, name, mode="r", pwd=None, *, force_zip64=False):
        stream = super().open(name, mode, pwd, force_zip64=force_zip64)
        if mode != "r":
            return stream  # pragma: no cover - never written
        part = name.filename if isinstance(name, zipfile.ZipInfo) else name
        limit = self.limits.get(part, self.budget.part)
        return _Unpacking(stream, part, self.budget, limit)


class _ExcelReader(ExcelReader):
    """openpyxl's reader (workbook, sheets, styles) over the limited archive, with a cheaper
    shared-strings table."""

    def __init__(self, archive: _LimitedZip, **options):
        super().__init__(archive.fp, **options)
        self.archive.close()  # the one openpyxl opened on the same file: use the limited one
        self.archive = archive
        self.valid_files = archive.namelist()

    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            name = part.PartName[1:]
            limit = min(max_shared_strings_bytes(), self.archive.budget.part)
            info = self.archive.getinfo(name)
            if info.file_size > limit:
                raise _too_big(limit)
            self.archive.limits[name] = limit
            self.shared_strings = _shared_strings(self.archive, name)


class Workbook:
    """An .xlsx opened for streaming: sheet names, and the rows of a sheet one at a time."""

    def __init__(self, source):
        self._own = isinstance(source, str | os.PathLike)
        self._fh = open(source, "rb") if self._own else source  # noqa: SIM115 (closed in close())
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    def _open(self) -> None:
        fh = self._fh
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(0)
        if size == 0:
            raise ImportFileError(_("Tệp trống (0 byte)."))
        if size > max_bytes():
            raise ImportFileError(
                _("Tệp quá lớn: %(size)s MB, giới hạn là %(limit)s MB. Hãy chia thành nhiều tệp.")
                % {"size": megabytes(size), "limit": megabytes(max_bytes())}
            )
        head = fh.read(4096)
        fh.seek(0)
        if not head.startswith(b"PK\x03\x04"):
            raise ImportFileError(_sniff(head))
        _check_directory(fh)
        try:
            archive = _LimitedZip(fh)
            names = set(archive.namelist())
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, struct.error):
            raise ImportFileError(
                _("Tệp .xlsx bị hỏng (không giải nén được). Hãy mở bằng Excel và lưu lại.")
            ) from None
        archive.budget, archive.limits = _Budget(), {}
        if "mimetype" in names:
            raise ImportFileError(
                _("Tệp là bảng tính OpenDocument (.ods). Hãy lưu lại dưới dạng .xlsx.")
            )
        if "word/document.xml" in names:
            raise ImportFileError(_("Tệp là văn bản Word (.docx), không phải bảng tính .xlsx."))
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise ImportFileError(_("Tệp nén này không phải là bảng tính Excel .xlsx."))
        if "xl/vbaProject.bin" in names:
            raise ImportFileError(
                _(
                    "Tệp có macro (.xlsm đổi đuôi thành .xlsx); macro không được nhập. Hãy lưu lại "
                    "dưới dạng “Excel Workbook (.xlsx)”."
                )
            )
        # What the archive declares, before anything is unpacked (the reads check it again).
        budget = archive.budget
        for info in archive.infolist():
            if info.file_size > budget.part:
                raise _too_big(budget.part)
        if sum(info.file_size for info in archive.infolist()) > budget.total:
            raise _too_big(budget.total)
        try:
            reader = _ExcelReader(archive, read_only=True, data_only=False, keep_links=False)
            reader.read()
            self._wb = reader.wb
        except ImportFileError:
            raise
        except Exception as exc:  # any failure of a third-party parser on untrusted input
            raise ImportFileError(
                _(
                    "Tệp .xlsx bị hỏng hoặc không đúng cấu trúc, không đọc được (%(detail)s). Hãy "
                    "mở bằng Excel và lưu lại."
                )
                % {"detail": type(exc).__name__}
            ) from None
        self.sheet_names = list(self._wb.sheetnames)

    def close(self) -> None:
        wb = getattr(self, "_wb", None)
        if wb is not None:
            wb.close()
        if self._own:
            self._fh.close()

    def declared_rows(self, name: str) -> int:
        """The row count the sheet declares (0 if it declares none)."""
        return self._wb[name].max_row or 0

    def rows(self, name: str, *, fast: bool = True) -> Iterator[tuple[int, list]]:
        """(row number, [values]) for each row present in the sheet, in order.

        Values are ``str``, ``int``, ``float``, ``bool``, ``datetime``, ``None``, or a
        :class:`Formula` / :class:`ErrorValue`. More than :func:`max_rows` rows (blank ones
        included) is refused. ``fast=False`` forces the XML parser for every row (the tests
        compare both ways).
        """
        ws = self._wb[name]
        limit = max_rows()
        if not hasattr(ws, "_get_source"):  # pragma: no cover - openpyxl internals moved
            yield from self._rows_openpyxl(ws, limit)
            return
        cells = _Cells(ws._shared_strings, self._wb._date_formats, self._wb.epoch)
        namespaces = self._plain(ws) if fast else None
        source = ws._get_source()
        try:
            numbered = (
                _rows_scanned(source, cells, namespaces)
                if namespaces is not None
                else _rows_parsed(source, cells)
            )
            for number, values in numbered:
                if number > limit + 1:
                    raise ImportFileError(self._too_many_rows(name, limit))
                yield number, values
        except ParseError as exc:
            raise ImportFileError(
                _("Trang “%(sheet)s” bị hỏng (lỗi XML ở dòng %(line)s), không đọc được.")
                % {"sheet": name, "line": exc.position[0]}
            ) from None
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            KeyError,
            IndexError,
            ValueError,
            OverflowError,
        ):
            raise ImportFileError(
                _("Trang “%(sheet)s” bị hỏng, không đọc được. Hãy mở bằng Excel và lưu lại.")
                % {"sheet": name}
            ) from None
        finally:
            source.close()

    @staticmethod
    def _plain(ws) -> bytes | None:
        """The namespace declarations of the sheet's root when its XML can be scanned row by
        row (UTF-8, the main namespace as the default one, no comment, CDATA section or DTD
        anywhere); None otherwise."""
        with ws._get_source() as source:
            head = source.read(8192)
            root = _PLAIN_HEAD.search(head)
            if root is None or _OTHER_ENCODING.search(head[:200]):
                return None
            tail = b""
            chunk = head
            while chunk:
                window = tail + chunk
                if any(token in window for token in _NOT_PLAIN):
                    return None
                tail = window[-16:]
                chunk = source.read(1 << 20)
        return b" ".join(_DECLARATION.findall(root.group(0)))

    def _rows_openpyxl(self, ws, limit: int) -> Iterator[tuple[int, list]]:
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if number > limit + 1:
                raise ImportFileError(self._too_many_rows(ws.title, limit))
            yield (
                number,
                [Formula(v) if isinstance(v, str) and v.startswith("=") else v for v in row],
            )

    @staticmethod
    def _too_many_rows(name: str, limit: int) -> str:
        return _(
            "Trang “%(sheet)s” có hơn %(limit)s dòng (kể cả dòng trống). Hãy xoá các dòng trống "
            "thừa ở cuối trang hoặc chia thành nhiều tệp."
        ) % {"sheet": name, "limit": f"{limit:,}".replace(",", ".")}


def open_workbook(source) -> Workbook:
    """Open ``source`` (a path or a binary file object) for reading, or raise ImportFileError."""
    return Workbook(source)


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


def parse_number(raw, *, integer: bool = True):
    """A non-negative number; text read by the site's one grammar (core.numbers: "1.500.000",
    "45,5", and in a decimal column "1.295" as 1295)."""
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
            value = core_numbers.parse_number(text, integer=integer)
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
                number_format="0.0",
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
                number_format="DD/MM/YYYY",
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
                number_format="DD/MM/YYYY",
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


def assessment_sheet(indicators: Sequence[Indicator]) -> SheetSpec:
    """Household code, income and/or B1 score, one yes/no column per indicator of the standard.
    Head, village and class are written by the export for reading and ignored on import."""
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
            number_format="0",
        ),
        Column(
            "income_per_capita",
            gettext_lazy("Thu nhập bình quân (đồng/người/tháng)"),
            _at_most(parse_integer, lambda: services.INCOME_MAX),
            gettext_lazy("Số nguyên không âm, đồng/người/tháng. Cần thu nhập hoặc điểm B1."),
            aliases=("thu nhập bình quân", "thu nhập", "thu nhập bình quân đầu người"),
            width=16,
            number_format="#,##0",
        ),
        Column(
            "b1_score",
            gettext_lazy("Điểm B1"),
            _at_most(parse_integer, services.b1_score_max),
            gettext_lazy("Số nguyên không âm (điểm thu nhập của phiếu B)."),
            aliases=("b1", "điểm thu nhập"),
            width=9,
            number_format="0",
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
    return SheetSpec(gettext_lazy("Kết quả rà soát"), tuple(columns))


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


# --- the report -----------------------------------------------------------------------------


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
    changes: list[RowChange] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    file_error: str = ""
    committed: bool = False
    rows_read: int = 0
    seconds: float = 0.0
    # The outcome differed from the one previewed, so nothing was written (see ``_Import.run``).
    changed_since_preview: bool = False
    reused_reading: bool = False

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

    def add(self, sheet: str, row: int, column: str, message: str) -> None:
        self.issues.append(RowIssue(sheet, row, column, message))

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
# A kept reading is used only by the code that wrote it (its classes live in this module).
READING_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()

_H_FIELDS = services.HOUSEHOLD_IMPORT_FIELDS
_M_FIELDS = services.MEMBER_IMPORT_FIELDS
# The parsers already give choice fields one of the model's codes, yes/no fields a bool and
# date fields a date, so the row checks apply the model's rules to the other fields (text
# length, required, the citizen-ID pattern, the floor area's digits). The service applies the
# rules of every field again when it writes.
_HOUSEHOLD_RULES = services.FieldRules(
    Household, ("code", "head_name", "address", "ethnicity", "phone", "floor_area_m2")
)
_MEMBER_RULES = services.FieldRules(Member, ("full_name", "citizen_id", "ethnicity"))
EARLIEST_DATE = datetime.date(1890, 1, 1)


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
    ) -> ImportReport:
        """Check the file; if ``commit`` and nothing is invalid, write it all in one transaction.

        The browser's two steps share the reading of the file, the slow part: the preview
        (``keep``) saves what it read to a file, and the confirm (``reuse``: that file's content,
        which the caller has checked is the one the server wrote) starts from it when
        it was read for the same commune or cycle, the same villages in the user's scope and the
        same language, else it reads the file again. Either way the comparison with the registry
        is made again, inside the transaction that writes; if ``expect`` (the previewed
        :meth:`ImportReport.outcome`) differs from its result, nothing is written and the report
        says so (``changed_since_preview``)."""
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
                report.finish_counts()
                if expect is not None and report.ok and report.outcome() != expect:
                    report.changed_since_preview = True
                elif commit and report.ok:
                    self.before_write()
                    self.write()
                    report.committed = True
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
            state = pickle.loads(data)
        except Exception:  # not a reading after all: read the file
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


def _village_index(villages: dict[int, Area]) -> dict[str, Area]:
    """Village by folded name or code; where two share a name, the one still valid wins."""
    index: dict[str, Area] = {}
    for village in sorted(villages.values(), key=lambda v: (v.valid_to is None, v.pk)):
        index[fold(village.name)] = village
        if village.code:
            index[fold(village.code)] = village
    return index


class HouseholdRow:
    __slots__ = ("row", "code", "village", "values", "bad", "existing", "members", "changed")

    def __init__(self, row, code, village, values, bad):
        self.row, self.code, self.village, self.values, self.bad = row, code, village, values, bad
        self.existing: dict | None = None  # the registry's values when the code is known
        self.members: list[MemberRow] | None = None  # None: the file does not list its members
        self.changed: list[str] = []


class MemberRow:
    __slots__ = ("row", "values", "bad")

    def __init__(self, row, values, bad):
        self.row, self.values, self.bad = row, values, bad


class HouseholdImport(_Import):
    """Households (sheet “Hộ gia đình”) and their members (sheet “Thành viên”) of one commune.

    A household code already in the commune updates that household; the members listed for a
    household are its whole list (matched to the registry by citizen ID, else by name and date
    of birth; members no longer listed are removed). Columns left out of the file are kept.
    """

    kind = "households"

    def __init__(self, *, commune: Area, **kwargs):
        super().__init__(**kwargs)
        self.commune = commune
        self.citizen_rows: dict[str, tuple[str, MemberRow]] = {}
        self.held_elsewhere = 0  # citizen IDs of the file held outside the user's scope

    reading_attributes = (
        "report",
        "sheet_names",
        "h_sheet",
        "m_sheet",
        "h_present",
        "h_labels",
        "m_present",
        "m_labels",
        "citizen_rows",
    )

    def target(self):
        return self.commune

    def prepare(self) -> None:
        self.villages, self.editable = _scope_villages(self.commune, self.user)
        if not self.editable:
            raise ImportFileError(
                _("Bạn không có quyền nhập hộ gia đình của %(commune)s.")
                % {"commune": self.commune.name}
            )
        self.village_index = _village_index(self.villages)

    def read_file(self, workbook: Workbook):
        h_spec, m_spec = household_sheet(), member_sheet()
        h_sheet = find_sheet(workbook, h_spec, others=[m_spec])
        if h_sheet is None:
            raise ImportFileError(
                _("Không tìm thấy trang “%(sheet)s” trong tệp (tệp có: %(sheets)s).")
                % {"sheet": h_spec.name, "sheets": ", ".join(workbook.sheet_names)}
            )
        m_sheet = next((n for n in workbook.sheet_names if header_key(n) in m_spec.names()), None)
        self.h_sheet, self.m_sheet = h_sheet, m_sheet or m_spec.name
        households = self._read_households(workbook, h_sheet, h_spec)
        self.h_present, self.h_labels = self.present, dict(self.labels)
        members: dict[str, list[MemberRow]] = {}
        self.m_present: set[str] = set()
        self.m_labels: dict[str, str] = {}
        if m_sheet is not None:
            members = self._read_members(workbook, m_sheet, m_spec)
            self.m_present, self.m_labels = self.present, dict(self.labels)
        else:
            self.report.notices.append(
                _("Tệp không có trang “%(sheet)s”: thành viên của các hộ đã có được giữ nguyên.")
                % {"sheet": m_spec.name}
            )
        if not households and not members:
            raise ImportFileError(_("Tệp không có dòng dữ liệu nào."))
        return households, members

    def compare(self, reading) -> None:
        self._compare(*reading)

    # -- reading the two sheets --

    def _read_households(self, workbook, sheet, spec) -> dict[str, HouseholdRow]:
        report = self.report
        pos = {c.key: i for i, c in enumerate(spec.columns)}
        households: dict[str, HouseholdRow] = {}
        unknown: dict[str, list[int]] = {}
        today = timezone.localdate()
        for number, parsed, failed in self.read(workbook, sheet, spec):
            present = self.present
            code = parsed[pos["code"]] or ""
            village = None
            name = parsed[pos["village"]]
            if name:
                village = self.village_index.get(fold(name))
                if village is None:
                    unknown.setdefault(name, []).append(number)
                    failed.add("village")
                elif village.pk not in self.editable:
                    failed.add("village")
                    report.add(
                        sheet,
                        number,
                        self.labels["village"],
                        _("Thôn “%(village)s” ngoài phạm vi bạn được nhập.")
                        % {"village": village.name},
                    )
            values = {k: parsed[pos[k]] for k in _H_FIELDS if k in present and k not in failed}
            if "is_urban" in values and values["is_urban"] is None:
                values["is_urban"] = bool(village and (village.is_urban or self.commune.is_urban))
            left = values.get("left_registry_on")
            if left and (left > today or left < EARLIEST_DATE):
                failed.add("left_registry_on")
                report.add(sheet, number, self.labels["left_registry_on"], _("Ngày không hợp lệ."))
            floor = values.get("floor_area_m2")
            if floor is not None and floor <= 0:
                failed.add("floor_area_m2")
                report.add(
                    sheet,
                    number,
                    self.labels["floor_area_m2"],
                    _("Diện tích nhà ở phải lớn hơn 0 m²."),
                )
            self.rule_problems(_HOUSEHOLD_RULES, values, failed, sheet, number)
            if code in households:
                report.add(
                    sheet,
                    number,
                    self.labels["code"],
                    _("Mã hộ “%(code)s” trùng với dòng %(row)s.")
                    % {"code": code, "row": households[code].row},
                )
                households[code].bad = True
                continue
            if code:
                households[code] = HouseholdRow(number, code, village, values, bool(failed))
        for name, numbers in unknown.items():
            elsewhere = (
                Area.objects.villages()
                .filter(name__iexact=name)
                .exclude(parent=self.commune)
                .select_related("parent")
                .first()
            )
            message = _("Không có thôn “%(village)s” trong %(commune)s.") % {
                "village": name,
                "commune": self.commune.name,
            }
            if elsewhere is not None:
                message += " " + _("Thôn này thuộc %(other)s: dòng của xã khác.") % {
                    "other": elsewhere.parent.name
                }
            for number in numbers:
                report.add(sheet, number, self.labels["village"], message)
        return households

    def _read_members(self, workbook, sheet, spec) -> dict[str, list[MemberRow]]:
        report = self.report
        pos = {c.key: i for i, c in enumerate(spec.columns)}
        order = [pos[k] for k in _M_FIELDS]
        members: dict[str, list[MemberRow]] = {}
        seen_ids: dict[str, int] = {}
        today = timezone.localdate()
        every = itemgetter(*order)
        checks = None
        for number, parsed, failed in self.read(workbook, sheet, spec):
            if checks is None:  # the columns present are known once the header is read
                keys = [k for k in _M_FIELDS if k in self.present]
                # The household code is picked too, so that the getter always returns a tuple.
                checks = (keys, itemgetter(*[pos[k] for k in keys], pos["household"]))
            values = every(parsed)
            checked = dict(zip(checks[0], checks[1](parsed), strict=False))
            born = checked.get("date_of_birth")
            if born and "date_of_birth" not in failed:
                if born > today:
                    failed.add("date_of_birth")
                    report.add(
                        sheet,
                        number,
                        self.labels["date_of_birth"],
                        _("Ngày sinh không thể ở tương lai."),
                    )
                elif born < EARLIEST_DATE:
                    failed.add("date_of_birth")
                    report.add(
                        sheet, number, self.labels["date_of_birth"], _("Ngày sinh không hợp lệ.")
                    )
            for key in failed:
                checked.pop(key, None)
            self.rule_problems(_MEMBER_RULES, checked, failed, sheet, number)
            row = MemberRow(number, values, bool(failed))
            citizen_id = checked.get("citizen_id") if "citizen_id" not in failed else ""
            if citizen_id:
                if citizen_id in seen_ids:
                    report.add(
                        sheet,
                        number,
                        self.labels["citizen_id"],
                        _("Số CCCD %(id)s trùng với dòng %(row)s.")
                        % {"id": citizen_id, "row": seen_ids[citizen_id]},
                    )
                    row.bad = True
                else:
                    seen_ids[citizen_id] = number
            code = parsed[pos["household"]] or ""
            if code:
                members.setdefault(code, []).append(row)
                if citizen_id and not row.bad:
                    self.citizen_rows[citizen_id] = (code, row)
        return members

    # -- comparing with the registry --

    def _compare(self, households: dict[str, HouseholdRow], members: dict[str, list]) -> None:
        report = self.report
        commune = self.commune
        codes = sorted(households.keys() | members.keys())
        registry: dict[str, dict] = {}
        for chunk in chunks(codes):
            for row in Household.objects.filter(commune=commune, code__in=chunk).values(
                "pk", "village_id", "version", *_H_FIELDS
            ):
                registry[row["code"]] = row
        for code, rows in members.items():
            if code in households:
                households[code].members = rows
                continue
            if code not in registry:
                for row in rows:
                    report.add(
                        self.m_sheet,
                        row.row,
                        self.m_labels["household"],
                        _("Không có hộ mã “%(code)s” ở trang “%(sheet)s” hay trong %(commune)s.")
                        % {"code": code, "sheet": self.h_sheet, "commune": commune.name},
                    )
                continue
            # Members of a household already registered, not listed on the household sheet.
            household = HouseholdRow(
                None, code, self.villages.get(registry[code]["village_id"]), {}, False
            )
            household.members = rows
            households[code] = household
        for code, household in households.items():
            existing = registry.get(code)
            if existing is None:
                continue
            household.existing = existing
            if existing["village_id"] not in self.editable:
                sheet, number, column = (
                    (self.h_sheet, household.row, self.h_labels["code"])
                    if household.row is not None
                    else (self.m_sheet, household.members[0].row, self.m_labels["household"])
                )
                # The code is taken in the commune (a new household could not have it), but
                # by a household the user may not see: its village is not named.
                report.add(
                    sheet,
                    number,
                    column,
                    _(
                        "Mã hộ “%(code)s” đã được dùng cho một hộ ngoài phạm vi bạn được nhập; "
                        "hãy kiểm tra lại mã hộ."
                    )
                    % {"code": code},
                )
                household.bad = True
        self._check_citizen_ids()
        registry_members = self._registry_members(households)
        plan_new, plan_changed = [], []
        member_changes: list[tuple] = []
        for code, household in households.items():
            bad = household.bad or any(m.bad for m in household.members or ())
            if household.existing is None:
                if not household.members:
                    report.add(
                        self.h_sheet,
                        household.row,
                        self.h_labels["code"],
                        _("Hộ mới cần ít nhất một thành viên ở trang “%(sheet)s”.")
                        % {"sheet": self.m_sheet},
                    )
                    bad = True
                if not bad:
                    plan_new.append(household)
                    report.counts["new"] += 1
                    report.member_counts["new"] += len(household.members)
                    report.changes.append(
                        RowChange(
                            self.h_sheet, household.row, code, "new", household.values["head_name"]
                        )
                    )
                continue
            if bad:
                continue
            changed = self._household_changes(household)
            diff = (
                self._member_diff(household, registry_members.get(household.existing["pk"], []))
                if household.members is not None
                else None
            )
            details = [self.h_labels.get(k, k) for k in changed]
            if diff is not None:
                created, updated, removed, unchanged = diff
                counts = report.member_counts
                counts["new"] += len(created)
                counts["updated"] += len(updated)
                counts["removed"] += len(removed)
                counts["unchanged"] += unchanged
                if created or updated or removed:
                    member_changes.append((household, created, updated, removed))
                    details.append(
                        _("thành viên: %(new)s mới, %(updated)s sửa, %(removed)s bỏ")
                        % {"new": len(created), "updated": len(updated), "removed": len(removed)}
                    )
            household.changed = changed
            if changed or (diff is not None and (diff[0] or diff[1] or diff[2])):
                report.counts["updated"] += 1
                basis = (household.existing["version"], changed)
                if diff is not None:
                    created, updated, removed, _unchanged = diff
                    members = ([(pk, sorted(c)) for pk, c in updated], removed, len(created))
                    basis = (*basis, members)
                report.changes.append(
                    RowChange(
                        self.h_sheet if household.row else self.m_sheet,
                        household.row,
                        code,
                        "updated",
                        ", ".join(str(d) for d in details),
                        repr(basis),
                    )
                )
                if changed:
                    plan_changed.append(household)
            elif household.row is not None:
                report.counts["unchanged"] += 1
        self.plan_new, self.plan_changed, self.member_changes = (
            plan_new,
            plan_changed,
            member_changes,
        )

    def _household_changes(self, household: HouseholdRow) -> list[str]:
        existing = household.existing
        changed = [
            key
            for key, value in household.values.items()
            if key != "code" and existing[key] != value
        ]
        village = household.village
        if (
            village is not None
            and household.row is not None
            and existing["village_id"] != village.pk
        ):
            changed.insert(0, "village")
        return changed

    def _check_citizen_ids(self) -> None:
        """A citizen ID in the file that the registry gives to someone of another household.

        Inside the villages the user may change, the row names that household. Outside them
        (another village, commune or province; for the shell without --user, outside the
        commune) the preview says nothing, exactly as for a number nobody holds, so that the
        preview cannot be used to learn whether someone is registered elsewhere; the write is
        refused then, with one message that names no row, number or person
        (docs/decisions-import.md, “Citizen IDs held elsewhere”)."""
        ids = sorted(self.citizen_rows)
        commune = self.commune
        self.held_elsewhere = 0
        for chunk in chunks(ids):
            for citizen_id, name, code, commune_id, village_id in Member.objects.filter(
                citizen_id__in=chunk
            ).values_list(
                "citizen_id",
                "full_name",
                "household__code",
                "household__commune_id",
                "household__village_id",
            ):
                file_code, row = self.citizen_rows[citizen_id]
                if commune_id == commune.pk and code == file_code:
                    continue  # the same person, in the same household
                if commune_id != commune.pk or village_id not in self.editable:
                    self.held_elsewhere += 1
                    continue
                row.bad = True
                self.report.add(
                    self.m_sheet,
                    row.row,
                    self.m_labels["citizen_id"],
                    _(
                        "Số CCCD %(id)s đã thuộc về “%(name)s” của hộ %(code)s (%(village)s); "
                        "không ghi đè."
                    )
                    % {
                        "id": citizen_id,
                        "name": name,
                        "code": code,
                        "village": self.villages[village_id].name,
                    },
                )

    def before_write(self) -> None:
        if self.held_elsewhere:
            logger.warning(
                "Import of %s refused: %s citizen ID(s) held outside the scope of user %s",
                self.commune.code,
                self.held_elsewhere,
                getattr(self.user, "pk", None),
            )
            raise ImportFileError(services.citizen_ids_unavailable_message())

    def _registry_members(self, households) -> dict[int, list[dict]]:
        ids = sorted(
            h.existing["pk"] for h in households.values() if h.existing and h.members is not None
        )
        found: dict[int, list[dict]] = {}
        for chunk in chunks(ids):
            for row in (
                Member.objects.filter(household_id__in=chunk)
                .order_by("household_id", "id")
                .values("pk", "household_id", *_M_FIELDS)
            ):
                found.setdefault(row["household_id"], []).append(row)
        return found

    def _member_diff(self, household, registered: list[dict]):
        """(new rows, [(pk, {field: value})], removed pks, unchanged count)."""
        present = self.m_present
        by_id = {m["citizen_id"]: m for m in registered if m["citizen_id"]}
        by_name: dict[tuple, list[dict]] = {}
        for m in registered:
            by_name.setdefault((fold(m["full_name"]), m["date_of_birth"]), []).append(m)
        used: set[int] = set()
        created, updated = [], []
        unchanged = 0
        for row in household.members:
            values = dict(zip(_M_FIELDS, row.values, strict=True))
            match = None
            citizen_id = values["citizen_id"]
            if citizen_id and citizen_id in by_id and by_id[citizen_id]["pk"] not in used:
                match = by_id[citizen_id]
            else:
                key = (fold(values["full_name"]), values["date_of_birth"])
                match = next((m for m in by_name.get(key, ()) if m["pk"] not in used), None)
            if match is None:
                created.append(row)
                continue
            used.add(match["pk"])
            changes = {k: values[k] for k in _M_FIELDS if k in present and match[k] != values[k]}
            if changes:
                updated.append((match["pk"], changes))
            else:
                unchanged += 1
        removed = [m["pk"] for m in registered if m["pk"] not in used]
        return created, updated, removed, unchanged

    # -- writing --

    def write(self, batch: int = 2000) -> None:
        reason = _("Nhập từ Excel: %(file)s") % {"file": self.filename}
        commune = self.commune
        if self.plan_new:
            services.registry_import(
                commune=commune,
                new_households=[
                    services.NewHousehold(
                        row.village.pk,
                        {
                            "is_urban": bool(row.village.is_urban or commune.is_urban),
                            **{
                                k: v
                                for k, v in row.values.items()
                                if v is not None or k in _NULLABLE
                            },
                        },
                        [self._member_fields(member) for member in row.members],
                    )
                    for row in self.plan_new
                ],
                user=self.user,
                change_reason=reason,
                batch_size=batch,
                progress=self.write_progress,
            )
        changed = {h.existing["pk"]: h for h in self.plan_changed}
        by_household = {h.existing["pk"]: (h, c, u, r) for h, c, u, r in self.member_changes}
        ids = sorted(changed.keys() | by_household.keys())
        for chunk in chunks(ids, batch):
            instances = {h.pk: h for h in Household.objects.filter(pk__in=chunk)}
            changed_households, fields = [], set()
            for pk in chunk:
                row = changed.get(pk)
                if row is None:
                    continue
                instance = instances[pk]
                for key in row.changed:
                    if key == "village":
                        instance.village = row.village
                    else:
                        setattr(instance, key, row.values[key])
                    fields.add(key)
                changed_households.append(instance)
            member_ids = [
                pk
                for _h, _c, updated, _r in (by_household[i] for i in chunk if i in by_household)
                for pk, _changes in updated
            ]
            current = {m.pk: m for m in Member.objects.filter(pk__in=member_ids)}
            changed_members, member_fields, new_members, removed = [], set(), [], []
            for pk in chunk:
                if pk not in by_household:
                    continue
                _row, created, updated, gone = by_household[pk]
                for member_pk, changes in updated:
                    member = current[member_pk]
                    for key, value in changes.items():
                        setattr(member, key, value)
                    member_fields.update(changes)
                    changed_members.append(member)
                for member in created:
                    new_members.append(
                        Member(household=instances[pk], **self._member_fields(member))
                    )
                removed.extend(gone)
            services.registry_import(
                commune=commune,
                changed_households=changed_households,
                household_fields=sorted(fields),
                changed_members=changed_members,
                member_fields=sorted(member_fields),
                new_members=new_members,
                removed_member_ids=removed,
                user=self.user,
                change_reason=reason,
            )

    def _member_fields(self, row: MemberRow) -> dict:
        values = dict(zip(_M_FIELDS, row.values, strict=True))
        return {
            k: (v if v is not None or k in _NULLABLE else _MEMBER_DEFAULTS[k])
            for k, v in values.items()
            if k in self.m_present
        }


_NULLABLE = {"floor_area_m2", "left_registry_on", "date_of_birth"}
_MEMBER_DEFAULTS = {
    "full_name": "",
    "sex": "",
    "relation_to_head": "",
    "citizen_id": "",
    "ethnicity": "",
    "has_health_insurance": False,
    "schooling": "",
    "work_status": "",
    "has_disability": False,
}


class AssessmentImport(_Import):
    """The review results of one cycle (sheet “Kết quả rà soát”): per household code, the income
    and/or B1 score and one yes/no column per indicator of the cycle's standard. Results are
    classified by the same rule and written by the same service as the review form."""

    kind = "assessments"

    def __init__(self, *, cycle: ReviewCycle, **kwargs):
        super().__init__(**kwargs)
        self.cycle = cycle

    reading_attributes = ("report", "sheet_names", "sheet", "present", "labels")

    def target(self):
        return self.cycle

    def context(self) -> tuple:
        return (*super().context(), [(i.pk, i.code) for i in self.indicators])

    def prepare(self) -> None:
        cycle = self.cycle
        if cycle.is_finalised:
            raise ImportFileError(
                _("Đợt rà soát %(cycle)s đã chốt; không thể nhập kết quả.") % {"cycle": cycle}
            )
        commune = cycle.commune
        self.villages, self.editable = _scope_villages(commune, self.user)
        if not self.editable:
            raise ImportFileError(
                _("Bạn không có quyền nhập kết quả rà soát của %(commune)s.")
                % {"commune": commune.name}
            )
        self.indicators = list(
            Indicator.objects.of_standard(cycle.standard).order_by("dimension__order", "order")
        )

    def read_file(self, workbook: Workbook):
        report = self.report
        indicators = self.indicators
        spec = assessment_sheet(indicators)
        sheet = self._find_sheet(workbook, spec)
        pos = {c.key: i for i, c in enumerate(spec.columns)}
        codes = [i.code for i in indicators]
        rows: dict[str, tuple] = {}
        for number, parsed, failed in self.read(workbook, sheet, spec):
            code = parsed[pos["code"]] or ""
            if code in rows:
                report.add(
                    sheet,
                    number,
                    self.labels["code"],
                    _("Mã hộ “%(code)s” trùng với dòng %(row)s.")
                    % {"code": code, "row": rows[code][0]},
                )
                continue
            count = parsed[pos["member_count"]]
            if count == 0 and "member_count" not in failed:
                failed.add("member_count")
                report.add(sheet, number, self.labels["member_count"], _("Phải từ 1 trở lên."))
            deprived = tuple(c for c in codes if parsed[pos[f"indicator:{c}"]])
            if code:
                rows[code] = (
                    number,
                    count,
                    parsed[pos["income_per_capita"]],
                    parsed[pos["b1_score"]],
                    deprived,
                    bool(failed),
                )
        if not rows:
            raise ImportFileError(_("Tệp không có dòng dữ liệu nào."))
        self.sheet = sheet
        return rows

    def compare(self, reading) -> None:
        self._compare(reading, self.indicators)

    def _find_sheet(self, workbook, spec) -> str:
        wanted = spec.names()
        for name in workbook.sheet_names:
            if header_key(name) in wanted:
                return name
        # An export of the poor / near-poor lists is importable too: find it by its headers.
        candidates = [n for n in workbook.sheet_names if header_key(n) not in IGNORED_SHEETS]
        for candidate in candidates:
            try:
                map_headers(workbook, candidate, spec)
                return candidate
            except ImportFileError:
                continue
        if len(candidates) == 1:
            return candidates[0]  # reading it reports which columns are missing
        raise ImportFileError(
            _("Không tìm thấy trang “%(sheet)s” trong tệp (tệp có: %(sheets)s).")
            % {"sheet": spec.name, "sheets": ", ".join(workbook.sheet_names)}
        )

    def _compare(self, rows: dict[str, tuple], indicators) -> None:
        report, cycle, sheet = self.report, self.cycle, self.sheet
        households: dict[str, Household] = {}
        codes = sorted(rows)
        for chunk in chunks(codes):
            for household in Household.objects.filter(commune=cycle.commune, code__in=chunk).only(
                "pk", "code", "commune_id", "village_id", "is_urban"
            ):
                households[household.code] = household
        ids = [h.pk for h in households.values()]
        registry_counts: dict[int, int] = {}
        existing: dict[int, tuple] = {}
        deprivations: dict[int, set[str]] = {}
        for chunk in chunks(ids):
            registry_counts.update(
                Member.objects.filter(household_id__in=chunk)
                .values_list("household_id")
                .annotate(n=Count("id"))
                .order_by()
            )
            for household_id, income, b1, members in Assessment.objects.filter(
                cycle=cycle, household_id__in=chunk
            ).values_list("household_id", "income_per_capita", "b1_score", "member_count"):
                existing[household_id] = (income, b1, members)
            for household_id, code in Deprivation.objects.filter(
                assessment__cycle=cycle, assessment__household_id__in=chunk
            ).values_list("assessment__household_id", "indicator__code"):
                deprivations.setdefault(household_id, set()).add(code)
        rule = cycle.standard.rule()
        labels = dict(Assessment.CLASS_CHOICES)
        entries = []
        for code, (number, count, income, b1, deprived, bad) in rows.items():
            household = households.get(code)
            if household is None or household.village_id not in self.editable:
                # A household outside the user's villages gets the message of one that does
                # not exist: the import does not tell who is registered where.
                report.add(sheet, number, self.labels["code"], self._unknown(code))
                continue
            members = count if count is not None else registry_counts.get(household.pk, 0)
            if not members:
                report.add(
                    sheet,
                    number,
                    self.labels.get("member_count", self.labels["code"]),
                    _("Hộ chưa có thành viên nào; hãy nhập số nhân khẩu hoặc thêm thành viên."),
                )
                continue
            try:
                result = classify(
                    rule, urban=household.is_urban, income=income, b1_score=b1, deprived=deprived
                )
            except ClassificationError as exc:
                column = {"negative_b1": "b1_score"}.get(exc.code, "income_per_capita")
                report.add(
                    sheet,
                    number,
                    self.labels.get(column, column),
                    services.classification_message(exc),
                )
                continue
            if bad:
                continue
            before = existing.get(household.pk)
            label = str(labels.get(result.household_class.value, ""))
            if before is None:
                status = "new"
            elif before == (income, b1, members) and deprivations.get(household.pk, set()) == set(
                deprived
            ):
                status = "unchanged"
            else:
                status = "updated"
            report.counts[status] += 1
            if status != "unchanged":
                basis = repr((result.household_class.value, before))
                report.changes.append(RowChange(sheet, number, code, status, label, basis))
                entries.append(
                    services.AssessmentEntry(
                        household=household,
                        income_per_capita=income,
                        b1_score=b1,
                        deprived=deprived,
                        member_count=count,
                    )
                )
        self.entries = entries

    def _unknown(self, code: str) -> str:
        commune = self.cycle.commune
        if set(self.villages) <= self.editable:
            return _("Không có hộ mã “%(code)s” trong %(commune)s.") % {
                "code": code,
                "commune": commune.name,
            }
        return _("Không có hộ mã “%(code)s” trong %(villages)s.") % {
            "code": code,
            "villages": ", ".join(
                sorted(self.villages[pk].name for pk in self.editable if pk in self.villages)
            ),
        }

    def write(self) -> None:
        if self.entries:
            services.assessments_record(cycle=self.cycle, entries=self.entries, user=self.user)


# --- shared by the shell commands -----------------------------------------------------------


def commune_for(term: str) -> Area:
    """The commune whose code or exact name is ``term``; ValueError with a message otherwise."""
    matches = list(Area.objects.communes().lookup(term)[:5])
    if not matches:
        raise ValueError(
            _("Không tìm thấy xã “%(term)s” (theo mã hoặc tên chính xác).") % {"term": term}
        )
    if len(matches) > 1:
        listed = "; ".join(f"{a.name} ({a.code})" for a in matches)
        raise ValueError(
            _("“%(term)s” khớp nhiều xã: %(list)s. Hãy dùng mã.") % {"term": term, "list": listed}
        )
    return matches[0]


def periodic_cycle(commune: Area, year: int) -> ReviewCycle:
    if not services.YEAR_MIN <= year <= services.YEAR_MAX:
        raise ValueError(_("Năm %(year)s không hợp lệ.") % {"year": year})
    cycle = (
        ReviewCycle.objects.select_related("standard", "commune")
        .filter(commune=commune, year=year, kind=ReviewCycle.Kind.PERIODIC)
        .first()
    )
    if cycle is None:
        raise ValueError(
            _("%(commune)s chưa có đợt rà soát định kỳ năm %(year)s; hãy tạo đợt rà soát trước.")
            % {"commune": commune.name, "year": year}
        )
    return cycle


def user_for(username: str | None):
    """The active user called ``username`` (None for none); ValueError with a message if absent."""
    if not username:
        return None
    from django.contrib.auth import get_user_model

    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist:
        raise ValueError(_("Không có người dùng “%(name)s”.") % {"name": username}) from None


def print_report(command, report: ImportReport, *, dry_run: bool) -> None:
    """How the shell commands end: problems on stderr, the summary on stdout, and a non-zero
    exit (CommandError) when anything was refused."""
    from django.core.management.base import CommandError

    for line in report.problem_lines():
        command.stderr.write(line)
    for line in report.summary_lines():
        command.stdout.write(line)
    if not report.ok:
        raise CommandError(
            _("Không nhập gì: %(n)s dòng lỗi.") % {"n": report.counts["invalid"]}
            if not report.file_error
            else _("Không nhập gì.")
        )
    if dry_run:
        command.stdout.write(_("Chạy thử (--dry-run): không ghi gì."))
    else:
        command.stdout.write(
            _("Đã ghi trong một giao dịch (%(seconds)s giây).")
            % {"seconds": f"{report.seconds:.1f}".replace(".", ",")}
        )
