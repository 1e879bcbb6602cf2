"""Reading a commune's registry and review results from Excel (.xlsx): checks, a preview, and an
all-or-nothing commit through ``households.services``;
and the Excel exports and templates of the same layouts (``exports``).

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

In the browser each upload is an ``ImportBatch`` (``models.py``), which holds everything between
the preview and the confirm; ``batches.py`` runs either step from the batch alone.
"""
