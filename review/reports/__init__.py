"""The review's documents, registered with the report engine (``reports.registry``): each is
built from the records of a periodic review and printed in the Decree 30/2020 layout (PDF; a
Word-like XLSX where a table is the body). Personal lists are personal reports, so the engine
scopes and logs them like the household lists.

Imported in the order a review produces them: the list of households to review, Phiếu B (blank
and pre-filled), the village meetings' minutes, the posting list and the complaints register,
the commune decision with its lists, the summary for the province."""

from importlib import import_module

for _name in ("to_review", "survey_form", "stages", "decision", "summary"):
    import_module(f"{__name__}.{_name}")
