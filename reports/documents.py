"""The blocks of an official document (Decree 30/2020/NĐ-CP, Appendix I) around a report:
issuing body, national motto, number and symbol, place and date, document type and subject,
signature and recipients. Configured per area and per report (:class:`DocumentSettings`), with
defaults derived from the area's name."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from areas.models import Area

from .models import DocumentSettings
from .tables import Report

FIELDS = (
    "superior_body",
    "issuing_body",
    "number",
    "symbol",
    "place",
    "document_date",
    "document_type",
    "title",
    "signing_authority",
    "signer_position",
    "signer_name",
    "recipients",
    "body",
)
#: read from the report's own row only: a document's wording is not shared between documents
OWN_ONLY = frozenset({"body"})
# "Xã Vĩnh Hảo" -> "Vĩnh Hảo": the place name in "Vĩnh Hảo, ngày …" drops the unit's kind.
KIND_PREFIX = re.compile(
    r"^(xã|phường|thị trấn|huyện|quận|thị xã|thành phố|tỉnh|thôn|tổ dân phố)\s+", re.IGNORECASE
)


@dataclass
class DocumentBlocks:
    superior_body: str
    issuing_body: list[str]
    number_symbol: str
    place_date: str
    document_type: str
    subject: str
    signing_authority: str
    signer_position: str
    signer_name: str
    recipients: list[str] = field(default_factory=list)

    @property
    def signature_lines(self) -> list[str]:
        """The signature block above the signer's name, one printed line each: the authority as
        typed, one line per row ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"), then the position."""
        return [*lines_of(self.signing_authority), *lines_of(self.signer_position)]


def issuing_area(area: Area) -> Area:
    """A village's documents are issued by its commune."""
    return area.parent if area.kind == Area.Kind.VILLAGE and area.parent_id else area


def place_name(area: Area) -> str:
    return KIND_PREFIX.sub("", area.name).strip() or area.name


def in_running_text(name: str) -> str:
    """ "Xã Vĩnh Hảo" as it reads inside a sentence: "xã Vĩnh Hảo"."""
    return name[:1].lower() + name[1:] if KIND_PREFIX.match(name) else name


def date_text(day: datetime.date | None, year: int | None = None) -> str:
    """A document's date as Decree 30/2020 writes it: "ngày 16 tháng 4 năm 2024", with a leading
    zero only on days 1–9 and on months 1 and 2 ("ngày 05 tháng 02 năm 2024"). Without a day,
    blanks to be filled in by hand when the document is signed ("ngày … tháng … năm 2024").
    Every document date printed in a document comes from here."""
    if day is None:
        blank = "\u00a0" * 6
        return _("ngày %(blank)s tháng %(blank)s năm %(year)s") % {
            "blank": blank,
            "year": year if year is not None else "\u00a0" * 8,
        }
    return _("ngày %(d)s tháng %(m)s năm %(y)s") % {
        "d": f"{day.day:02d}",
        "m": f"{day.month:02d}" if day.month <= 2 else str(day.month),
        "y": day.year,
    }


def date_line(place: str, day: datetime.date | None, year: int) -> str:
    """ "Vĩnh Hảo, ngày 16 tháng 4 năm 2024" (:func:`date_text`), or blanks to be filled in by
    hand when the document is signed."""
    return _("%(place)s, %(date)s") % {"place": place, "date": date_text(day, year)}


def lines_of(text: str) -> list[str]:
    """A field typed one line per row ("TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH" on two lines): its
    non-empty lines, stripped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def settings_for(area: Area, slug: str) -> dict:
    """The configured values for ``slug`` in ``area`` (one query): the report's own row first,
    then the area's row for every document; empty fields fall through."""
    values: dict = {}
    rows = {
        s.report: s
        for s in DocumentSettings.objects.filter(area=issuing_area(area), report__in=[slug, ""])
    }
    for key in (slug, ""):
        row = rows.get(key)
        if row is None:
            continue
        for name in FIELDS:
            if key == "" and name in OWN_ONLY:
                continue
            value = getattr(row, name)
            if value not in (None, "") and name not in values:
                values[name] = value
    return values


def document_blocks(report: Report, values: dict | None = None) -> DocumentBlocks:
    area = report.area
    issuer = issuing_area(area)
    values = settings_for(area, report.slug) if values is None else values
    issuing = values.get("issuing_body") or "\n".join([_("ỦY BAN NHÂN DÂN"), issuer.name.upper()])
    number = values.get("number", "")
    symbol = values.get("symbol") or f"{report.symbol}-UBND"
    number_symbol = _("Số: %(number)s/%(symbol)s") % {
        "number": number or "\u00a0" * 8,
        "symbol": symbol,
    }
    subject = values.get("title") or _("%(title)s trên địa bàn %(area)s") % {
        "title": report.title,
        "area": in_running_text(area.name),
    }
    recipients = values.get("recipients") or _("- Lưu: VT.")
    return DocumentBlocks(
        superior_body=values.get("superior_body", ""),
        issuing_body=[line.strip() for line in issuing.splitlines() if line.strip()],
        number_symbol=number_symbol,
        place_date=date_line(
            values.get("place") or place_name(issuer),
            values.get("document_date"),
            values.get("document_year") or timezone.localdate().year,
        ),
        document_type=values.get("document_type") or report.document_type or _("BÁO CÁO"),
        subject=subject,
        signing_authority=values.get("signing_authority") or _("TM. ỦY BAN NHÂN DÂN"),
        signer_position=values.get("signer_position") or _("CHỦ TỊCH"),
        signer_name=values.get("signer_name", ""),
        recipients=[line.strip() for line in recipients.splitlines() if line.strip()],
    )


def report_document_blocks(report: Report) -> DocumentBlocks:
    """The header and signature blocks of ``report``'s document: the area's document settings, and
    for a document of its own year (the plan) that year with its own number, date and subject on
    top. The PDF and the plan's page both take them from here."""
    values = None
    document_values = getattr(report, "document_values", None)
    if document_values:
        values = {
            **settings_for(report.area, report.slug),
            "document_year": report.year,
            **document_values,
        }
    return document_blocks(report, values)
