"""The limits of an import: sizes, rows, parts of the archive (each a setting), and the
error that refuses a file as a whole."""

from __future__ import annotations

import logging

from django.conf import settings

from core.formatting import format_decimal

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
