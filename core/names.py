"""Names kept in two languages: a Vietnamese ``name`` and, beside it, ``name_en`` (indicators,
dimensions, the programme, its projects and sub-projects).

Pages, HTML reports and spreadsheets show the English name when the interface is in English
and the row has one; otherwise, and always in an official document (the PDFs are built with
Vietnamese active, ``reports.views``), the Vietnamese one. One rule, one place: models take
:class:`LocalizedName`, templates may use the ``localized_name`` filter (``core/templatetags/
names.py``), builders call :func:`localized_name`.
"""

from __future__ import annotations

from django.utils import translation


def english() -> bool:
    """Whether the active language is English."""
    return (translation.get_language() or "").startswith("en")


def localized_name(obj, field: str = "name") -> str:
    """``obj.name`` in the active language: ``name_en`` in English when it is filled. ``obj``
    may be a row of ``.values()``, with ``field`` its key ("project__name")."""
    if obj is None:
        return ""
    get = obj.get if isinstance(obj, dict) else lambda key, default="": getattr(obj, key, default)
    if english():
        english_name = get(f"{field}_en", "")
        if english_name:
            return english_name
    return get(field, "") or ""


class LocalizedName:
    """A model with ``name`` and ``name_en``: ``localized_name`` is the one to show."""

    @property
    def localized_name(self) -> str:
        return localized_name(self)
