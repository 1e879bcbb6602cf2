"""The programme side of the plan (sections III and V of a commune's Kế hoạch).

Programmes, projects and sub-projects are data, not enums: the 2021–2025 programme (Decision
90/QĐ-TTg, 2022) is merged into a 2026–2035 programme whose component list is unconfirmed. A
sub-project cites its legal bases and names the deprivation indicators it addresses.

Per commune and year, an ``Assignment`` says which unit leads a sub-project, which units
coordinate and what the tasks are; ``Activity`` rows track progress, ``Beneficiary`` rows record
which household got which support. A beneficiary keeps a snapshot of the household's village, so a
household that moves or leaves the registry keeps its history where it happened.
Writes go through ``services.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from areas.scoping import ScopedQuerySet
from core.names import LocalizedName


class Programme(LocalizedName, models.Model):
    code = models.CharField(_("mã"), max_length=30, unique=True)
    name = models.CharField(_("tên chương trình"), max_length=300)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=300, blank=True)
    start_year = models.PositiveSmallIntegerField(_("từ năm"))
    end_year = models.PositiveSmallIntegerField(_("đến năm"))
    legal_basis = models.CharField(_("căn cứ phê duyệt"), max_length=300, blank=True)
    notes = models.TextField(
        _("ghi chú"), blank=True, help_text=_("Ghi rõ những gì chưa được xác nhận.")
    )

    class Meta:
        verbose_name = _("chương trình")
        verbose_name_plural = _("chương trình")
        ordering = ["start_year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="programme_years_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.localized_name

    def covers(self, year: int) -> bool:
        return self.start_year <= year <= self.end_year


class Project(LocalizedName, models.Model):
    programme = models.ForeignKey(
        Programme, verbose_name=_("chương trình"), on_delete=models.PROTECT, related_name="projects"
    )
    number = models.PositiveSmallIntegerField(_("số dự án"))
    name = models.CharField(_("tên dự án"), max_length=300)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("dự án")
        verbose_name_plural = _("dự án")
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"],
                name="project_number_per_programme",
                violation_error_message=_("Chương trình đã có dự án mang số này."),
            )
        ]

    def __str__(self) -> str:
        return _("Dự án %(n)s: %(name)s") % {"n": self.number, "name": self.localized_name}


class LegalDocument(models.Model):
    """A legal or guiding document a sub-project or a plan cites (number, date, issuer, subject)."""

    number = models.CharField(
        _("số, ký hiệu"), max_length=60, help_text=_("Ví dụ: 09/2022/TT-BLĐTBXH.")
    )
    kind = models.CharField(
        _("loại văn bản"), max_length=40, help_text=_("Nghị định, Thông tư, Quyết định…")
    )
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200)
    subject = models.TextField(_("trích yếu"), blank=True)

    class Meta:
        verbose_name = _("văn bản căn cứ")
        verbose_name_plural = _("văn bản căn cứ")
        ordering = ["issued_on", "number"]
        constraints = [
            # Numbers such as "28/NQ-HĐND" restart every year and are reused by every council.
            models.UniqueConstraint(
                fields=["number", "issuer", "issued_on"],
                name="legal_document_unique",
                violation_error_message=_("Đã có văn bản này (cùng số, cơ quan và ngày ban hành)."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} số {self.number}"

    def citation(self) -> str:
        """The way plans cite it: "Thông tư số 09/2022/TT-BLĐTBXH ngày 25/5/2022 của …"."""
        text = _("%(kind)s số %(number)s") % {"kind": self.kind, "number": self.number}
        if self.issued_on:
            d = self.issued_on
            text += _(" ngày %(d)s/%(m)s/%(y)s") % {"d": d.day, "m": d.month, "y": d.year}
        if self.issuer:
            text += _(" của %(issuer)s") % {"issuer": self.issuer}
        if self.subject:
            text += f" {self.subject}"
        return text


class SubProjectQuerySet(models.QuerySet):
    def of_programme(self, programme: Programme) -> SubProjectQuerySet:
        return self.filter(project__programme=programme)

    def addressing(self, indicator_code: str) -> SubProjectQuerySet:
        return self.filter(indicators__code=indicator_code).distinct()


class SubProject(LocalizedName, models.Model):
    """A sub-project (tiểu dự án), or a whole project that has none (``number`` empty)."""

    project = models.ForeignKey(
        Project, verbose_name=_("dự án"), on_delete=models.PROTECT, related_name="subprojects"
    )
    # Kept equal to project.programme (set in save) so the code is unique per programme in the
    # database, not only in Python.
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="+", editable=False
    )
    number = models.PositiveSmallIntegerField(
        _("số tiểu dự án"),
        null=True,
        blank=True,
        help_text=_("Để trống khi dự án được thực hiện chung, không chia tiểu dự án."),
    )
    code = models.CharField(
        _("mã"), max_length=20, help_text=_("Duy nhất trong chương trình, ví dụ DA3-TDA1.")
    )
    name = models.CharField(_("tên"), max_length=300)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=300, blank=True)
    legal_bases = models.ManyToManyField(
        LegalDocument,
        through="SubProjectLegalBasis",
        related_name="subprojects",
        verbose_name=_("căn cứ pháp lý"),
        blank=True,
    )
    indicators = models.ManyToManyField(
        "indicators.Indicator",
        related_name="subprojects",
        verbose_name=_("chỉ số thiếu hụt giải quyết"),
        blank=True,
        help_text=_("Các chỉ số thiếu hụt mà tiểu dự án góp phần giải quyết."),
    )

    objects = SubProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("tiểu dự án")
        verbose_name_plural = _("tiểu dự án")
        ordering = ["project__programme", "project__number", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "code"],
                name="subproject_code_per_programme",
                violation_error_message=_("Mã tiểu dự án này đã được dùng trong chương trình."),
            ),
            models.UniqueConstraint(
                fields=["project", "number"],
                name="subproject_number_per_project",
                violation_error_message=_("Dự án đã có tiểu dự án mang số này."),
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(number__isnull=True),
                name="one_whole_project_entry",
                violation_error_message=_("Dự án này đã có một mục “toàn dự án”."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.localized_name}"

    def save(self, *args, **kwargs) -> None:
        self.programme_id = self.project.programme_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not self.project_id:
            return
        self.programme_id = self.project.programme_id
        # The admin form leaves ``programme`` out of its constraint checks; check here too.
        taken = SubProject.objects.filter(programme_id=self.programme_id, code=self.code)
        if self.code and taken.exclude(pk=self.pk).exists():
            raise ValidationError(
                {
                    "code": _("Mã tiểu dự án “%(code)s” đã được dùng trong chương trình.")
                    % {"code": self.code}
                }
            )

    @property
    def label(self) -> str:
        """ "Dự án 3 – Tiểu dự án 1" or "Dự án 2" for a whole project."""
        if self.number is None:
            return _("Dự án %(p)s") % {"p": self.project.number}
        return _("Tiểu dự án %(s)s (Dự án %(p)s)") % {"s": self.number, "p": self.project.number}


class SubProjectLegalBasis(models.Model):
    subproject = models.ForeignKey(SubProject, on_delete=models.CASCADE, related_name="basis_links")
    document = models.ForeignKey(
        LegalDocument, verbose_name=_("văn bản"), on_delete=models.PROTECT, related_name="+"
    )
    articles = models.CharField(
        _("điều, khoản"), max_length=120, blank=True, help_text=_("Ví dụ: Điều 20, 21, 22 và 23.")
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("căn cứ pháp lý")
        verbose_name_plural = _("căn cứ pháp lý")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subproject", "document"], name="subproject_document_once"
            )
        ]

    def __str__(self) -> str:
        return str(self.document)


# --- commune side: units, yearly assignments, activities, beneficiaries ---------------------


class UnitQuerySet(ScopedQuerySet):
    area_path_lookup = "commune__path"
    ancestors_visible = True  # a village board reads who does what in its commune
    edit_action = "plan"


class Unit(models.Model):
    """An office, officer post or organisation of a commune that plans name (sections III, V)."""

    class Kind(models.TextChoices):
        PEOPLES_COMMITTEE = "committee", _("Ủy ban nhân dân")
        OFFICER = "officer", _("Công chức cấp xã")
        SERVICE = "service", _("Đơn vị sự nghiệp, trường học, trạm y tế")
        ORGANISATION = "organisation", _("Mặt trận, đoàn thể")
        VILLAGES = "villages", _("Ban quản lý thôn")
        OTHER = "other", _("Khác")

    commune = models.ForeignKey(
        Area, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("tên đơn vị / chức danh"), max_length=200)
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị thực hiện")
        verbose_name_plural = _("đơn vị thực hiện")
        ordering = ["commune", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "name"],
                name="unit_name_per_commune",
                violation_error_message=_("Xã đã có đơn vị mang tên này."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ResponsibilityQuerySet(ScopedQuerySet):
    area_path_lookup = "unit__commune__path"
    ancestors_visible = True
    edit_action = "plan"


class Responsibility(models.Model):
    """What a unit is charged with in a year's plan (section V, "Tổ chức thực hiện")."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="responsibilities"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    order = models.PositiveSmallIntegerField(_("thứ tự trong kế hoạch"), default=0)
    heading = models.CharField(
        _("tiêu đề trong kế hoạch"),
        max_length=200,
        blank=True,
        help_text=_("Để trống: tên đơn vị. Ví dụ: “Đề nghị Ủy ban Mặt trận Tổ quốc…”."),
    )
    duties = models.TextField(_("nhiệm vụ"), help_text=_("Mỗi đoạn cách nhau một dòng trống."))

    objects = ResponsibilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhiệm vụ của đơn vị")
        verbose_name_plural = _("nhiệm vụ của đơn vị")
        ordering = ["year", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                name="responsibility_per_unit_year",
                violation_error_message=_("Đơn vị này đã có nhiệm vụ trong năm này."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.year}"

    @property
    def title(self) -> str:
        return self.heading or self.unit.name

    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.duties.split("\n\n") if p.strip()]


class AssignmentQuerySet(ScopedQuerySet):
    area_path_lookup = "commune__path"
    ancestors_visible = True  # boards see which sub-projects run in their commune
    edit_action = "plan"

    def for_year(self, year: int) -> AssignmentQuerySet:
        return self.filter(year=year)

    def latest_year(self, commune: Area) -> int | None:
        """The last year the commune planned its programme: the year its pages open on."""
        return self.filter(commune=commune).order_by("-year").values_list("year", flat=True).first()

    def for_listing(self) -> AssignmentQuerySet:
        """Everything a list of assignments shows, in a fixed number of queries."""
        return (
            self.select_related(
                "subproject__project__programme", "lead_unit", "officer_in_charge", "commune"
            )
            .prefetch_related("coordinating_units")
            .annotate(
                activity_count=Count("activities", distinct=True),
                beneficiary_count=Count("beneficiaries", distinct=True),
            )
            .order_by("commune__path", "subproject__project__number", "subproject__number")
        )


class Assignment(models.Model):
    """A sub-project as a commune carries it out in a year: who leads, who helps, what to do."""

    commune = models.ForeignKey(
        Area, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    subproject = models.ForeignKey(
        SubProject,
        verbose_name=_("tiểu dự án"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị chủ trì"), on_delete=models.PROTECT, related_name="+"
    )
    officer_in_charge = models.ForeignKey(
        Unit,
        verbose_name=_("công chức tham mưu, phụ trách"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Khi đơn vị chủ trì là UBND xã: công chức được giao tham mưu thực hiện."),
    )
    coordinating_units = models.ManyToManyField(
        Unit, verbose_name=_("đơn vị phối hợp"), related_name="+", blank=True
    )
    tasks = models.TextField(
        _("nhiệm vụ, nội dung thực hiện"),
        blank=True,
        help_text=_("Mỗi dòng một nội dung; dòng bắt đầu bằng “-” là một gạch đầu dòng."),
    )
    # Raised on every change, so a form opened before someone else's save gets the conflict.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân công thực hiện")
        verbose_name_plural = _("phân công thực hiện")
        ordering = ["commune", "year", "subproject"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "year", "subproject"],
                name="assignment_per_commune_year_subproject",
                violation_error_message=_("Tiểu dự án này đã được phân công cho xã trong năm."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.subproject.code} · {self.commune} · {self.year}"

    def task_list(self) -> list[str]:
        return [line.strip(" -+•\t") for line in self.tasks.splitlines() if line.strip(" -+•\t")]


class ActivityQuerySet(ScopedQuerySet):
    # ``area`` is the commune (commune-wide activity) or one of its villages.
    area_path_lookup = "area__path"
    ancestors_visible = True
    edit_action = "record"

    def plannable_by(self, user) -> ActivityQuerySet:
        """Activities whose plan (title, period) ``user`` may change: those of assignments the
        user edits. Boards only record progress (``editable_by``)."""
        return self.filter(assignment__in=Assignment.objects.editable_by(user))


class Activity(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Chưa triển khai")
        IN_PROGRESS = "in_progress", _("Đang thực hiện")
        DONE = "done", _("Hoàn thành")
        CANCELLED = "cancelled", _("Hủy bỏ")

    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("phân công"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("địa bàn"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Xã (hoạt động chung) hoặc một thôn của xã."),
    )
    title = models.CharField(_("hoạt động"), max_length=300)
    planned_start = models.DateField(_("bắt đầu (kế hoạch)"))
    planned_end = models.DateField(_("kết thúc (kế hoạch)"))
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    progress = models.PositiveSmallIntegerField(
        _("tiến độ (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    result = models.TextField(_("kết quả"), blank=True)
    is_sample = models.BooleanField(_("dữ liệu mẫu"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("hoạt động")
        verbose_name_plural = _("hoạt động")
        ordering = ["planned_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("planned_start")),
                name="activity_ends_after_start",
                violation_error_message=_("Ngày kết thúc không được trước ngày bắt đầu."),
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="activity_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = _("Ngày kết thúc không được trước ngày bắt đầu.")
        if self.assignment_id and self.area_id:
            commune_id = self.assignment.commune_id
            if self.area_id != commune_id and self.area.parent_id != commune_id:
                errors["area"] = _("Địa bàn phải là xã của phân công hoặc một thôn của xã đó.")
        if self.status == self.Status.DONE and self.progress != 100:
            errors["progress"] = _("Hoạt động đã hoàn thành thì tiến độ phải là 100 %.")
        if errors:
            raise ValidationError(errors)


class BeneficiaryQuerySet(ScopedQuerySet):
    # The village at the time of the support, so history stays where it happened.
    area_path_lookup = "village__path"
    edit_action = "record"

    def for_year(self, year: int) -> BeneficiaryQuerySet:
        return self.filter(assignment__year=year)

    def for_listing(self) -> BeneficiaryQuerySet:
        return self.select_related(
            "household", "village", "assignment__subproject__project", "activity"
        ).order_by("assignment__subproject__project__number", "assignment__subproject__number")


class Beneficiary(models.Model):
    """A household that received support from a sub-project in a year."""

    class Kind(models.TextChoices):
        CASH = "cash", _("Tiền mặt")
        IN_KIND = "in_kind", _("Hiện vật (giống, vật tư, thiết bị…)")
        TRAINING = "training", _("Đào tạo, tập huấn")
        SERVICE = "service", _("Dịch vụ (tư vấn, kết nối việc làm, dinh dưỡng…)")
        CREDIT = "credit", _("Vốn vay ưu đãi")
        OTHER = "other", _("Khác")

    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("tiểu dự án (phân công trong năm)"),
        on_delete=models.PROTECT,
        related_name="beneficiaries",
    )
    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("hộ"),
        on_delete=models.PROTECT,
        related_name="beneficiary_records",
    )
    village = models.ForeignKey(
        Area,
        verbose_name=_("thôn (khi hỗ trợ)"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("hoạt động"),
        on_delete=models.PROTECT,
        related_name="beneficiaries",
        null=True,
        blank=True,
    )
    support_kind = models.CharField(_("hình thức hỗ trợ"), max_length=10, choices=Kind.choices)
    description = models.CharField(_("nội dung hỗ trợ"), max_length=300)
    value = models.BigIntegerField(
        _("số tiền hoặc giá trị hiện vật (đồng)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    supported_on = models.DateField(_("ngày hỗ trợ"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    is_sample = models.BooleanField(_("dữ liệu mẫu"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("thời điểm nhập"), auto_now_add=True)

    objects = BeneficiaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("đối tượng thụ hưởng")
        verbose_name_plural = _("đối tượng thụ hưởng")
        ordering = ["assignment", "household__code", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="beneficiary_value_not_negative",
                violation_error_message=_("Số tiền hoặc giá trị hỗ trợ không được âm."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.assignment.subproject.code} · {self.assignment.year}"

    def clean(self) -> None:
        """Rules that hold whichever way the row is written (service, admin, import)."""
        import datetime

        from django.core.exceptions import ValidationError

        if not (self.assignment_id and self.household_id):
            return
        household, assignment = self.household, self.assignment
        if self._state.adding or not self.village_id:
            self.village_id = household.village_id
        if household.commune_id != assignment.commune_id:
            raise ValidationError(
                {
                    "household": _("Hộ %(code)s không thuộc %(commune)s.")
                    % {"code": household.code, "commune": assignment.commune.name}
                }
            )
        errors = {}
        left = household.left_registry_on
        start_of_year = datetime.date(assignment.year, 1, 1)
        if self._state.adding and left is not None and left < (self.supported_on or start_of_year):
            errors["household"] = _(
                "Hộ %(code)s đã ra khỏi danh sách từ ngày %(day)s; không ghi nhận hỗ trợ mới."
            ) % {"code": household.code, "day": left.strftime("%d/%m/%Y")}
        if self.supported_on and self.supported_on.year != assignment.year:
            errors["supported_on"] = _("Ngày hỗ trợ phải thuộc năm %(year)s.") % {
                "year": assignment.year
            }
        if self.activity_id and self.activity.assignment_id != self.assignment_id:
            errors["activity"] = _("Hoạt động này không thuộc tiểu dự án đã chọn.")
        if self.value is not None and self.value < 0:
            errors["value"] = _("Số tiền hoặc giá trị hỗ trợ không được âm.")
        if errors:
            raise ValidationError(errors)


# --- the plan document (Kế hoạch) of a commune and year -------------------------------------


class PlanQuerySet(ScopedQuerySet):
    area_path_lookup = "commune__path"
    ancestors_visible = True
    edit_action = "plan"


class Plan(models.Model):
    """A commune's yearly plan as a document: its number and date once signed, and the narrative
    paragraphs typed in (``PlanText``); every figure comes from the data (``plan/document.py``)."""

    commune = models.ForeignKey(
        Area, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    number = models.CharField(
        _("số văn bản"), max_length=20, blank=True, help_text=_("Để trống để điền tay khi ký.")
    )
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    # the officer's confirmation that the document may be issued despite its check warnings;
    # it holds only for the warnings it was given for (their digest): new warnings lapse it
    confirmed_at = models.DateTimeField(_("xác nhận ban hành lúc"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_warnings = models.CharField(
        _("dấu các cảnh báo đã xác nhận"), max_length=64, blank=True
    )

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("kế hoạch năm")
        verbose_name_plural = _("kế hoạch năm")
        ordering = ["commune", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "year"],
                name="plan_per_commune_year",
                violation_error_message=_("Xã đã có kế hoạch của năm này."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.commune} · {self.year}"


class PlanTextQuerySet(ScopedQuerySet):
    area_path_lookup = "plan__commune__path"
    ancestors_visible = True
    edit_action = "plan"


class PlanText(models.Model):
    """One narrative part of a plan (keys in ``plan/defaults.py``)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="texts")
    key = models.CharField(_("phần"), max_length=40)
    text = models.TextField(_("nội dung"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlanTextQuerySet.as_manager()

    class Meta:
        verbose_name = _("đoạn văn của kế hoạch")
        verbose_name_plural = _("đoạn văn của kế hoạch")
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="plan_text_per_key")]

    def __str__(self) -> str:
        return f"{self.plan} · {self.key}"
