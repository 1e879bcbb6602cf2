"""The text of a report file in any format, for tests that look for names in it: PDF read back
with pypdf, XLSX with openpyxl, anything else decoded as UTF-8."""

import io

from openpyxl import load_workbook
from pypdf import PdfReader


def document_text(body: bytes) -> str:
    if body.startswith(b"%PDF"):
        return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(body)).pages)
    if body.startswith(b"PK"):
        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
        )
    return body.decode("utf-8", "replace")
