"""Long tables straight to PDF pages, without an HTML layout engine.

WeasyPrint lays out every cell of an HTML table as a box with its own styles and line boxes; on the
lists of a district (thousands of households) that costs far more per row than drawing the text, and
memory that grows with the rows (the figures are in docs/benchmarks-reports.md). The tables of such
lists are simple — one header row, cells of text, groups with a heading row — so this module draws
them directly: it measures text with the font's own advance widths, wraps it, breaks pages, repeats
the header on every page and numbers the pages at the top centre, in the same font (the shipped
Liberation Serif, embedded as a subset with a ToUnicode map so the text can be searched and
extracted) and the same page geometry as ``static/css/print.css`` (Decree 30/2020: A4, margins
20/20/30/15 mm). The document blocks around the table (issuing body, motto, title, signature) are
still rendered by WeasyPrint and joined with pypdf.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

MM = 72 / 25.4
A4 = (595.28, 841.89)
MARGINS = {"top": 20 * MM, "bottom": 20 * MM, "left": 30 * MM, "right": 15 * MM}


@lru_cache(maxsize=4)
def _font_file(path: str):
    """The parsed font (read once per process): glyph ids, advances, metrics."""
    from fontTools.ttLib import TTFont

    font = TTFont(path)
    cmap = {code: font.getGlyphID(name) for code, name in font.getBestCmap().items()}
    metrics = font["hmtx"].metrics
    order = font.getGlyphOrder()
    advances = [metrics[name][0] for name in order]
    head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
    return {
        "path": path,
        "cmap": cmap,
        "advances": advances,
        "upm": head.unitsPerEm,
        "bbox": [head.xMin, head.yMin, head.xMax, head.yMax],
        "ascent": hhea.ascent,
        "descent": hhea.descent,
        "cap_height": getattr(os2, "sCapHeight", hhea.ascent),
        "name": font["name"].getDebugName(6) or "LiberationSerif",
    }


class FontUse:
    """One font in one document: encodes text as glyph ids and remembers the glyphs used."""

    def __init__(self, path: str, resource: str):
        self.data = _font_file(path)
        self.resource = resource
        self.used: dict[int, str] = {}
        self._width_cache: dict[str, float] = {}

    def glyphs(self, text: str) -> list[int]:
        cmap = self.data["cmap"]
        return [cmap.get(ord(ch), 0) for ch in text]

    def width(self, text: str, size: float) -> float:
        units = self._width_cache.get(text)
        if units is None:
            advances = self.data["advances"]
            units = sum(advances[g] for g in self.glyphs(text))
            self._width_cache[text] = units
        return units * size / self.data["upm"]

    def encode(self, text: str) -> bytes:
        out = []
        for ch, gid in zip(text, self.glyphs(text), strict=True):
            self.used.setdefault(gid, ch)
            out.append(f"{gid:04X}")
        return ("<" + "".join(out) + ">").encode()


def wrap(font: FontUse, text: str, size: float, width: float) -> list[str]:
    """Greedy word wrap to ``width`` points; a word longer than a line is cut by characters."""
    if not text:
        return [""]
    if font.width(text, size) <= width:
        return [text]
    lines, current = [], ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if font.width(candidate, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while font.width(word, size) > width and len(word) > 1:
            cut = len(word)
            while cut > 1 and font.width(word[:cut], size) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    lines.append(current)
    return lines


@dataclass
class FastColumn:
    label: str
    weight: float
    numeric: bool = False


@dataclass
class FastTable:
    title: str
    columns: list[FastColumn]
    #: ("group", (heading, heading when continued on a new page)) or ("row", [cell texts])
    items: list[tuple[str, object]] = field(default_factory=list)


@dataclass
class Style:
    size: float = 11.0
    header_size: float = 11.0
    title_size: float = 13.0
    number_size: float = 13.0
    pad_x: float = 3.0
    pad_y: float = 1.8
    leading: float = 1.18
    line_width: float = 0.5


class Writer:
    """Pages of tables, collected as content streams, written with pydyf."""

    def __init__(
        self, regular: str, bold: str, *, landscape: bool, first_page: int, mark: str = ""
    ):
        self.regular = FontUse(regular, "F1")
        self.bold = FontUse(bold, "F2")
        width, height = A4
        self.page_w, self.page_h = (height, width) if landscape else (width, height)
        self.left = MARGINS["left"]
        self.right = self.page_w - MARGINS["right"]
        self.top = self.page_h - MARGINS["top"]
        self.bottom = MARGINS["bottom"]
        self.style = Style()
        #: a line printed at the bottom centre of every page (provisional figures), or ""
        self.mark = mark
        #: each finished page's content stream, compressed at once so memory stays small
        self.pages: list[bytes] = []
        self.number = first_page - 1
        self.ops: list[bytes] = []
        self.y = self.top

    # -- drawing --------------------------------------------------------------------------

    def text(self, font: FontUse, size: float, x: float, y: float, text: str) -> None:
        self.ops.append(
            b"BT /%s %.2f Tf %.2f %.2f Td %s Tj ET\n"
            % (font.resource.encode(), size, x, y, font.encode(text))
        )

    def new_page(self) -> None:
        self.finish()
        self.ops = [b"%.2f w 0 G\n" % self.style.line_width]
        self.number += 1
        self.y = self.top
        label = str(self.number)
        size = self.style.number_size
        x = (self.page_w - self.regular.width(label, size)) / 2
        self.text(self.regular, size, x, self.page_h - MARGINS["top"] / 2 - size / 3, label)
        if self.mark:  # in the bottom margin, as WeasyPrint's pages print it
            size = self.style.size
            x = max((self.page_w - self.bold.width(self.mark, size)) / 2, self.left)
            self.text(self.bold, size, x, MARGINS["bottom"] / 2 - size / 3, self.mark)

    def finish(self) -> None:
        if self.ops:
            self.pages.append(zlib.compress(b"".join(self.ops)))
            self.ops = []

    # -- tables ---------------------------------------------------------------------------

    def _lines(self, font, size, texts, widths):
        pad = 2 * self.style.pad_x
        return [wrap(font, t, size, w - pad) for t, w in zip(texts, widths, strict=True)]

    def _row(
        self, font, size, cells, widths, numeric, fill: float | None = None, centre=False
    ) -> None:
        s = self.style
        line_h = size * s.leading
        height = max(len(c) for c in cells) * line_h + 2 * s.pad_y
        top = self.y
        x = self.left
        total = sum(widths)
        if fill is not None:
            self.ops.append(
                b"%.3f g %.2f %.2f %.2f %.2f re f 0 g\n" % (fill, x, top - height, total, height)
            )
        for lines, w, right in zip(cells, widths, numeric, strict=True):
            self.ops.append(b"%.2f %.2f %.2f %.2f re S\n" % (x, top - height, w, height))
            baseline = top - s.pad_y - size * 0.88
            for line in lines:
                if centre:
                    tx = x + (w - font.width(line, size)) / 2
                elif right:
                    tx = x + w - s.pad_x - font.width(line, size)
                else:
                    tx = x + s.pad_x
                if line:
                    self.text(font, size, tx, baseline, line)
                baseline -= line_h
            x += w
        self.y = top - height

    def _height(self, cells, size) -> float:
        return max(len(c) for c in cells) * size * self.style.leading + 2 * self.style.pad_y

    def _header(self, header_cells, widths) -> None:
        s = self.style
        self._row(
            self.bold, s.header_size, header_cells, widths, [False] * len(widths), centre=True
        )

    def table(self, table: FastTable, *, new_page: bool) -> None:
        s = self.style
        if new_page or not self.ops:
            self.new_page()
        total_weight = sum(c.weight for c in table.columns)
        widths = [(self.right - self.left) * c.weight / total_weight for c in table.columns]
        numeric = [c.numeric for c in table.columns]
        header = self._lines(self.bold, s.header_size, [c.label for c in table.columns], widths)
        header_h = self._height(header, s.header_size)
        title_h = s.title_size * 1.6
        if self.y - title_h - header_h - 40 < self.bottom:
            self.new_page()
        self.text(self.bold, s.title_size, self.left, self.y - s.title_size, table.title)
        self.y -= title_h
        self._header(header, widths)
        full = [self.right - self.left]
        continued = None  # the group's heading for the top of the next page, once it has rows
        for kind, value in table.items:
            if kind == "group":
                heading, continued = value
                cells = self._lines(self.bold, s.size, [heading], full)
                needed = self._height(cells, s.size) + s.size * 1.6  # keep with the next row
                if self.y - needed < self.bottom:
                    self.new_page()
                    self._header(header, widths)
                self._row(self.bold, s.size, cells, full, [False], fill=0.92)
                continue
            cells = self._lines(self.regular, s.size, value, widths)
            if self.y - self._height(cells, s.size) < self.bottom:
                self.new_page()
                self._header(header, widths)
                if continued is not None:  # a group running on: its heading again
                    again = self._lines(self.bold, s.size, [continued], full)
                    self._row(self.bold, s.size, again, full, [False], fill=0.92)
            self._row(self.regular, s.size, cells, widths, numeric)

    # -- output ---------------------------------------------------------------------------

    def write(self) -> bytes:
        import pydyf

        self.finish()
        pdf = pydyf.PDF()
        fonts = pydyf.Dictionary()
        for use in (self.regular, self.bold):
            if use.used:
                fonts[use.resource] = _embed(pdf, use).reference
        resources = pydyf.Dictionary({"Font": fonts})
        pdf.add_object(resources)
        for data in self.pages:
            content = pydyf.Stream([data], extra={"Filter": "/FlateDecode"})
            pdf.add_object(content)
            page = pydyf.Dictionary(
                {
                    "Type": "/Page",
                    "Parent": pdf.pages.reference,
                    "MediaBox": pydyf.Array([0, 0, round(self.page_w, 2), round(self.page_h, 2)]),
                    "Contents": content.reference,
                    "Resources": resources.reference,
                }
            )
            pdf.add_page(page)
        out = io.BytesIO()
        pdf.write(out, compress=True)
        return out.getvalue()


def _subset(use: FontUse) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.retain_gids = True  # the content streams use the original glyph ids
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.layout_features = []
    options.drop_tables = [*options.drop_tables, "FFTM"]  # a timestamp fontTools cannot subset
    font = TTFont(use.data["path"])
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=sorted(set(use.used) | {0}))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _to_unicode(used: dict[int, str]) -> bytes:
    lines = [
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    items = sorted(used.items())
    for start in range(0, len(items), 100):
        block = items[start : start + 100]
        lines.append(b"%d beginbfchar" % len(block))
        for gid, ch in block:
            lines.append(b"<%04X> <%s>" % (gid, ch.encode("utf-16-be").hex().upper().encode()))
        lines.append(b"endbfchar")
    lines.append(b"endcmap CMapName currentdict /CMap defineresource pop end end")
    return b"\n".join(lines)


def _embed(pdf, use: FontUse):
    import pydyf

    data = use.data
    scale = 1000 / data["upm"]
    name = "/AAAAAA+" + data["name"].replace(" ", "")
    font_file = pydyf.Stream([_subset(use)], compress=True)
    pdf.add_object(font_file)
    descriptor = pydyf.Dictionary(
        {
            "Type": "/FontDescriptor",
            "FontName": name,
            "Flags": 34,  # serif, non-symbolic
            "FontBBox": pydyf.Array([round(v * scale) for v in data["bbox"]]),
            "ItalicAngle": 0,
            "Ascent": round(data["ascent"] * scale),
            "Descent": round(data["descent"] * scale),
            "CapHeight": round(data["cap_height"] * scale),
            "StemV": 80,
            "FontFile2": font_file.reference,
        }
    )
    pdf.add_object(descriptor)
    widths = pydyf.Array()
    for gid in sorted(use.used):
        widths.extend([gid, pydyf.Array([round(data["advances"][gid] * scale)])])
    cid_font = pydyf.Dictionary(
        {
            "Type": "/Font",
            "Subtype": "/CIDFontType2",
            "BaseFont": name,
            "CIDSystemInfo": pydyf.Dictionary(
                {
                    "Registry": pydyf.String("Adobe"),
                    "Ordering": pydyf.String("Identity"),
                    "Supplement": 0,
                }
            ),
            "FontDescriptor": descriptor.reference,
            "W": widths,
            "CIDToGIDMap": "/Identity",
        }
    )
    pdf.add_object(cid_font)
    to_unicode = pydyf.Stream([_to_unicode(use.used)], compress=True)
    pdf.add_object(to_unicode)
    font = pydyf.Dictionary(
        {
            "Type": "/Font",
            "Subtype": "/Type0",
            "BaseFont": name,
            "Encoding": "/Identity-H",
            "DescendantFonts": pydyf.Array([cid_font.reference]),
            "ToUnicode": to_unicode.reference,
        }
    )
    pdf.add_object(font)
    return font


def font_paths() -> tuple[str, str]:
    from django.contrib.staticfiles import finders

    regular = finders.find("fonts/LiberationSerif-Regular.ttf")
    bold = finders.find("fonts/LiberationSerif-Bold.ttf")
    if regular is None or bold is None:  # collected static files only (production)
        from django.conf import settings

        root = Path(settings.STATIC_ROOT) / "fonts"
        regular, bold = (
            str(root / "LiberationSerif-Regular.ttf"),
            str(root / "LiberationSerif-Bold.ttf"),
        )
    return regular, bold
