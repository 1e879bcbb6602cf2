"""The official list of administrative units (danh mục đơn vị hành chính) in and out of the admin,
through django-import-export: one sheet with a row per unit (code, name, kind, parent code, valid
from, urban) creates or updates the units, so a new commune and its villages need no hand typing.

Each row is saved through ``Area.save()``, which builds the materialised path from the parent's,
so the rows are put in tree order (provinces first, villages last) before they are read; parents
are found by their code among the units still valid. ``full_clean()`` runs on every row
(``clean_model_instances``), so the model's rules (which kind may sit under which, codes required
above the village) refuse a bad row as the admin form would.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, widgets

from core.importexport import CodeWidget, DayWidget, ReferenceResource, code_text

from .models import Area

# The file's columns: the headings of the official list, not translated (a file format).
CODE, NAME, KIND, PARENT, VALID_FROM, URBAN = (
    "Mã",
    "Tên",
    "Cấp",
    "Mã cấp trên",
    "Hiệu lực từ",
    "Thành thị",
)
ORDER = [Area.Kind.PROVINCE, Area.Kind.DISTRICT, Area.Kind.COMMUNE, Area.Kind.VILLAGE]


def _fold(text: str) -> str:
    """Lower case without diacritics ("Thị trấn" → "thi tran"), for the kind words."""
    text = unicodedata.normalize("NFD", str(text).strip().lower()).replace("đ", "d")
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


# The words official lists use for each level, besides the stored values themselves.
KIND_WORDS = {
    Area.Kind.PROVINCE: ("tinh", "thanh pho truc thuoc trung uong", "thanh pho trung uong"),
    Area.Kind.DISTRICT: ("huyen", "quan", "thi xa", "thanh pho thuoc tinh"),
    Area.Kind.COMMUNE: ("xa", "phuong", "thi tran", "dac khu"),
    Area.Kind.VILLAGE: ("thon", "to dan pho", "ap", "ban", "buon", "khom", "xom", "to"),
}
KINDS = {_fold(kind): kind for kind in Area.Kind} | {
    word: kind for kind, words in KIND_WORDS.items() for word in words
}
KINDS |= {_fold(label): kind for kind, label in Area.Kind.choices}


class KindWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        kind = KINDS.get(_fold(value or ""))
        if kind is None:
            raise ValueError(
                _("Cấp “%(value)s” không hợp lệ; dùng tỉnh, huyện, xã hoặc thôn.")
                % {"value": value or ""}
            )
        return kind


def kind_of(row) -> str | None:
    return KINDS.get(_fold(row.get(KIND) or ""))


class ParentWidget(widgets.ForeignKeyWidget):
    """The parent unit by its code, among the valid units of a kind that may hold the row's."""

    def __init__(self):
        super().__init__(Area, field="code")

    def clean(self, value, row=None, **kwargs):
        code = code_text(value)
        if not code:
            return None
        kind = kind_of(row or {})
        allowed = Area.ALLOWED_PARENTS.get(kind, ()) if kind else ORDER
        found = list(Area.objects.filter(code=code, valid_to__isnull=True, kind__in=allowed)[:2])
        if not found:
            raise ValueError(
                _("Không có đơn vị cấp trên mã %(code)s (cần có trước, hoặc ở một dòng trong tệp).")
                % {"code": code}
            )
        if len(found) > 1:
            raise ValueError(_("Mã cấp trên %(code)s trùng ở nhiều đơn vị.") % {"code": code})
        return found[0]


class AreaResource(ReferenceResource):
    code = fields.Field(attribute="code", column_name=CODE)
    name = fields.Field(attribute="name", column_name=NAME)
    kind = fields.Field(attribute="kind", column_name=KIND, widget=KindWidget())
    parent = fields.Field(attribute="parent", column_name=PARENT, widget=ParentWidget())
    valid_from = fields.Field(attribute="valid_from", column_name=VALID_FROM, widget=DayWidget())
    is_urban = fields.Field(attribute="is_urban", column_name=URBAN, widget=widgets.BooleanWidget())

    class Meta:
        model = Area
        fields = ("code", "name", "kind", "parent", "valid_from", "is_urban")
        import_id_fields = ("code",)

    def before_import(self, dataset, **kwargs):
        """Parents before children: rows sorted by level (stable, so the sheet's order holds
        within a level); a row of unknown kind stays last and is refused when read."""
        self._codes_seen = {}
        if KIND not in (dataset.headers or []):
            raise ValidationError(_("Tệp thiếu cột “%(column)s”.") % {"column": KIND})
        rank = {kind: i for i, kind in enumerate(ORDER)}
        rows = sorted(
            dataset.dict,
            key=lambda row: rank.get(kind_of(row), len(ORDER)),
        )
        headers = dataset.headers
        dataset.wipe()
        dataset.headers = headers
        for row in rows:
            for column in (CODE, PARENT):
                if column in row:
                    row[column] = code_text(row[column])
            dataset.append([row[h] for h in headers])

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        code = code_text(row.get(CODE))
        if not code:
            raise ValidationError(
                {"code": _("Mỗi dòng phải có mã (thôn, tổ dân phố cũng vậy, để tìm lại được).")}
            )
        row[CODE] = code
        if code in self._codes_seen:
            raise ValidationError(
                {
                    "code": _("Mã %(code)s lặp lại: đã có ở dòng của “%(name)s”.")
                    % {"code": code, "name": self._codes_seen[code]}
                }
            )
        self._codes_seen[code] = row.get(NAME) or ""

    def get_instance(self, instance_loader, row):
        # A code identifies a unit among those still valid (a merged unit keeps its old code).
        return Area.objects.filter(
            code=row[CODE], kind=kind_of(row) or "", valid_to__isnull=True
        ).first()


class ValidAreaWidget(CodeWidget):
    """A unit by its code among those still valid (targets and budget lines name their area)."""

    def __init__(self, kinds=None):
        super().__init__(Area)
        self.kinds = kinds

    def get_queryset(self, value, row, *args, **kwargs):
        units = Area.objects.filter(valid_to__isnull=True)
        return units.filter(kind__in=self.kinds) if self.kinds else units
