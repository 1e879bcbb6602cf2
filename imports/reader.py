"""The .xlsx reader: a sheet's rows one at a time, read from the sheet's XML as a stream.

openpyxl (read-only) opens the workbook, its shared strings and styles, and stays the reference:
a sheet whose XML is plain (as Excel, LibreOffice and openpyxl write it) is scanned directly,
anything else goes through an XML parser, and a workbook this module cannot stream falls back to
openpyxl's own rows. The scanner earns its place by measurement (docs/decisions-import.md; the
figures are in docs/benchmarks.md, "Excel import"). Every size is bounded before it is read
(``limits``), so a hostile archive is refused, not unpacked.
"""

from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from xml.etree.ElementTree import ParseError, fromstring, iterparse

from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import SHARED_STRINGS

from .limits import (
    MAX_MARKUP_RUN,
    MAX_ROW_BYTES,
    ImportFileError,
    max_bytes,
    max_part_bytes,
    max_parts,
    max_rows,
    max_shared_strings_bytes,
    max_total_bytes,
    megabytes,
)


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
