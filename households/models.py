"""The household registry and the yearly review.

An ``Assessment`` is a snapshot: it keeps the standard it was judged by, the village and the
member count at the time, the deprived indicators, the income/score and the resulting class, so
editing a household later never changes last year's figures. Writes go through ``services.py``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from areas.models import Area
from areas.scoping import ScopedQuerySet
from core.collation import SORT_TEXT_LENGTH, by_name
from core.text import fold
from indicators.models import PovertyStandard
from indicators.rules import HouseholdClass, Measure

citizen_id_validator = RegexValidator(
    r"^\d{12}$", _("Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số.")
)


class HouseholdQuerySet(ScopedQuerySet):
    area_path_lookup = "village__path"

    def in_registry_at(self, day) -> HouseholdQuerySet:
        """Households on the registry on ``day``: joined it on or before ``day`` (or always on
        it) and not yet left it."""
        return self.filter(
            Q(left_registry_on__isnull=True) | Q(left_registry_on__gt=day),
            Q(joined_registry_on__isnull=True) | Q(joined_registry_on__lte=day),
        )

    def search(self, query: str) -> HouseholdQuerySet:
        """``query`` within the head's or a member's name, the code or a citizen ID, ignoring
        case and diacritics ("nguyen van" finds "Nguyễn Văn", "duc" finds "Đức")."""
        phrase = fold(query)
        return self.filter(search_text__contains=phrase) if phrase else self


class Household(models.Model):
    class Material(models.TextChoices):
        DURABLE = "durable", _("Kiên cố / bền chắc")
        SEMI = "semi", _("Bán kiên cố")
        NON_DURABLE = "non_durable", _("Không bền chắc")

    class Water(models.TextChoices):
        PIPED = "piped", _("Nước máy")
        PROTECTED = "protected", _("Giếng khoan, giếng đào được bảo vệ, nước mưa")
        UNSAFE = "unsafe", _("Nguồn không hợp vệ sinh")

    class Latrine(models.TextChoices):
        HYGIENIC = "hygienic", _("Hợp vệ sinh")
        UNHYGIENIC = "unhygienic", _("Không hợp vệ sinh")
        NONE = "none", _("Không có")

    commune = models.ForeignKey(
        Area, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        Area, verbose_name=_("thôn"), on_delete=models.PROTECT, related_name="households"
    )
    code = models.CharField(_("mã hộ"), max_length=30)
    head_name = models.CharField(_("chủ hộ"), max_length=120)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    ethnicity = models.CharField(_("dân tộc"), max_length=40, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    is_urban = models.BooleanField(_("thành thị"), default=False)
    floor_area_m2 = models.DecimalField(
        _("diện tích nhà ở (m²)"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.1)],
    )
    house_material = models.CharField(
        _("chất lượng nhà ở"), max_length=12, choices=Material.choices, blank=True
    )
    water_source = models.CharField(
        _("nguồn nước sinh hoạt"), max_length=12, choices=Water.choices, blank=True
    )
    latrine = models.CharField(_("nhà tiêu"), max_length=12, choices=Latrine.choices, blank=True)

    class Joined(models.TextChoices):
        ORIGINAL = "original", _("Có trong sổ từ đầu")
        NEW = "new", _("Hộ mới thành lập")
        SPLIT = "split", _("Tách từ hộ khác")
        MOVED_IN = "moved_in", _("Chuyển đến")

    joined_registry_on = models.DateField(
        _("vào danh sách ngày"),
        null=True,
        blank=True,
        help_text=_("Để trống nếu hộ có trong sổ từ đầu."),
    )
    joined_how = models.CharField(
        _("vào danh sách do"), max_length=10, choices=Joined.choices, default=Joined.ORIGINAL
    )
    left_registry_on = models.DateField(_("ra khỏi danh sách ngày"), null=True, blank=True)
    is_sample = models.BooleanField(_("dữ liệu mẫu"), default=False)
    search_text = models.TextField(editable=False, default="")
    # The head's name as text the database orders in Vietnamese order (core.collation), for the
    # paginated list sorted by head: kept with search_text by the services that write households.
    head_sort = models.CharField(max_length=SORT_TEXT_LENGTH, editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HouseholdQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["search_text", "head_sort", "created_at", "updated_at"]
    )

    class Meta:
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "code"], name="household_code_per_commune"),
            models.CheckConstraint(
                condition=Q(floor_area_m2__isnull=True) | Q(floor_area_m2__gt=0),
                name="household_floor_area_positive",
            ),
        ]
        # One per sort of the household list (households.queries.SORTS): over a province the
        # first page is read along the index instead of sorting every household in scope
        # (EXPLAIN findings in docs/benchmarks.md, "Province viewer (issue 16)").
        indexes = [
            models.Index(fields=["code"], name="household_code"),
            models.Index(fields=["head_sort", "head_name", "code"], name="household_head_sort"),
            models.Index(fields=["village", "code"], name="household_village_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.head_name}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.village_id and self.village.kind != Area.Kind.VILLAGE:
            raise ValidationError({"village": _("Hãy chọn một thôn / tổ dân phố.")})
        if self.village_id and self.commune_id and self.village.parent_id != self.commune_id:
            raise ValidationError({"village": _("Thôn này không thuộc xã của hộ.")})
        joined, left = self.joined_registry_on, self.left_registry_on
        if joined is not None and left is not None and joined > left:
            raise ValidationError(
                {
                    "joined_registry_on": _(
                        "Ngày vào danh sách (%(joined)s) phải trước hoặc bằng ngày ra khỏi danh "
                        "sách (%(left)s)."
                    )
                    % {"joined": joined.strftime("%d/%m/%Y"), "left": left.strftime("%d/%m/%Y")}
                }
            )


class MemberQuerySet(ScopedQuerySet):
    area_path_lookup = "household__village__path"


class Member(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("Nam")
        FEMALE = "F", _("Nữ")

    class Relation(models.TextChoices):
        HEAD = "head", _("Chủ hộ")
        SPOUSE = "spouse", _("Vợ / chồng")
        CHILD = "child", _("Con")
        PARENT = "parent", _("Bố / mẹ")
        GRANDCHILD = "grandchild", _("Cháu")
        OTHER = "other", _("Khác")

    class Schooling(models.TextChoices):
        NONE = "none", _("Chưa đi học / không đi học")
        IN_SCHOOL = "in_school", _("Đang đi học")
        PRIMARY = "primary", _("Tốt nghiệp tiểu học")
        LOWER_SECONDARY = "lower_secondary", _("Tốt nghiệp THCS")
        UPPER_SECONDARY = "upper_secondary", _("Tốt nghiệp THPT")
        VOCATIONAL = "vocational", _("Có chứng chỉ / bằng nghề")
        HIGHER = "higher", _("Cao đẳng, đại học trở lên")

    class Work(models.TextChoices):
        EMPLOYED_CONTRACT = "contract", _("Làm công ăn lương có hợp đồng")
        EMPLOYED_NO_CONTRACT = "no_contract", _("Làm công ăn lương không hợp đồng")
        SELF_EMPLOYED = "self", _("Tự làm (nông nghiệp, kinh doanh)")
        UNEMPLOYED = "unemployed", _("Không có việc làm")
        NOT_IN_LABOUR_FORCE = "inactive", _("Không thuộc lực lượng lao động")

    household = models.ForeignKey(
        Household, verbose_name=_("hộ"), on_delete=models.CASCADE, related_name="members"
    )
    full_name = models.CharField(_("họ và tên"), max_length=120)
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    relation_to_head = models.CharField(
        _("quan hệ với chủ hộ"), max_length=12, choices=Relation.choices
    )
    citizen_id = models.CharField(
        _("số CCCD"), max_length=12, blank=True, validators=[citizen_id_validator]
    )
    ethnicity = models.CharField(_("dân tộc"), max_length=40, blank=True)
    has_health_insurance = models.BooleanField(_("có thẻ BHYT"), default=False)
    schooling = models.CharField(_("học vấn"), max_length=16, choices=Schooling.choices, blank=True)
    work_status = models.CharField(_("việc làm"), max_length=12, choices=Work.choices, blank=True)
    has_disability = models.BooleanField(_("khuyết tật"), default=False)

    objects = MemberQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thành viên")
        verbose_name_plural = _("thành viên")
        ordering = ["household", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["citizen_id"],
                condition=~Q(citizen_id=""),
                name="member_citizen_id_unique",
                violation_error_message=_("Số CCCD này đã được dùng cho một người khác."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class ReviewCycleQuerySet(ScopedQuerySet):
    area_path_lookup = "commune__path"
    ancestors_visible = True  # a village board works in its commune's cycles
    edit_action = "review"

    def covering(self, area: Area) -> ReviewCycleQuerySet:
        """Cycles of the communes within ``area``, or of the commune ``area`` lies in."""
        return self.filter(
            Q(commune__path__startswith=area.path) | Q(commune__path__in=area.ancestor_paths())
        )


class ReviewCycle(models.Model):
    class Kind(models.TextChoices):
        PERIODIC = "periodic", _("Rà soát định kỳ")
        AD_HOC = "ad_hoc", _("Rà soát thường xuyên")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang rà soát")
        FINALISED = "finalised", _("Đã chốt")

    class Stage(models.TextChoices):
        """The steps of Decision 24/2021/QĐ-TTg a periodic review goes through, in order; the
        ``review`` app moves a cycle between them. ``DECIDED`` goes with ``Status.FINALISED``."""

        OPEN = "open", _("Mở đợt")
        SURVEY = "survey", _("Điều tra, rà soát")
        MEETINGS = "meetings", _("Họp thôn")
        POSTING = "posting", _("Niêm yết công khai")
        DECIDED = "decided", _("Xã quyết định công nhận")

    commune = models.ForeignKey(
        Area, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="review_cycles"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    kind = models.CharField(_("loại rà soát"), max_length=10, choices=Kind.choices)
    reference_date = models.DateField(
        _("ngày chốt số liệu"), help_text=_("Rà soát định kỳ: thường là 14/12 của năm.")
    )
    standard = models.ForeignKey(
        "indicators.PovertyStandard", verbose_name=_("chuẩn nghèo"), on_delete=models.PROTECT
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    stage = models.CharField(_("bước"), max_length=10, choices=Stage.choices, default=Stage.OPEN)
    finalised_at = models.DateTimeField(_("ngày chốt"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The commune decision that makes the figures official (set at the DECIDED stage).
    decision_number = models.CharField(_("số quyết định"), max_length=40, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    decision_signer = models.CharField(_("người ký quyết định"), max_length=120, blank=True)

    objects = ReviewCycleQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["finalised_at"])

    class Meta:
        verbose_name = _("đợt rà soát")
        verbose_name_plural = _("đợt rà soát")
        ordering = ["-year", "-reference_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "year"],
                condition=Q(kind="periodic"),
                name="one_periodic_review_per_commune_year",
                violation_error_message=_(
                    "Xã đã có đợt rà soát định kỳ của năm này; mỗi năm chỉ có một đợt."
                ),
            ),
            models.UniqueConstraint(
                fields=["commune", "reference_date", "kind"], name="review_cycle_unique_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} · {self.commune}"

    @property
    def is_finalised(self) -> bool:
        return self.status == self.Status.FINALISED

    def clean(self) -> None:
        """The reference date lies in the cycle's year (a periodic review's in its season, from
        1 September to 31 December), and the standard is in force on that date."""
        day, year = self.reference_date, self.year
        if day is None or year is None:
            return  # the missing field has its own error
        if self.kind == self.Kind.PERIODIC and not (
            datetime.date(year, 9, 1) <= day <= datetime.date(year, 12, 31)
        ):
            raise ValidationError(
                {
                    "reference_date": _(
                        "Ngày chốt số liệu của đợt rà soát định kỳ phải trong khoảng "
                        "01/09–31/12/%(year)s."
                    )
                    % {"year": year}
                }
            )
        if day.year != year:
            raise ValidationError(
                {"reference_date": _("Ngày chốt số liệu phải thuộc năm %(year)s.") % {"year": year}}
            )
        if self.standard_id and not (
            PovertyStandard.objects.in_force_on(day).filter(pk=self.standard_id).exists()
        ):
            raise ValidationError(
                {
                    "standard": _(
                        "Chuẩn nghèo “%(standard)s” không áp dụng vào ngày chốt số liệu %(day)s."
                    )
                    % {"standard": self.standard, "day": day.strftime("%d/%m/%Y")}
                }
            )


class ExemptionQuerySet(ScopedQuerySet):
    area_path_lookup = "household__village__path"


class ReviewExemption(models.Model):
    """Why a household of a cycle's registry has no result in it. Only ``KEPT_PREVIOUS`` carries
    the previous finalised result forward into the cycle's figures; a household that moved out or
    split is counted nowhere from its leaving date (``Household.left_registry_on``)."""

    class Reason(models.TextChoices):
        MOVED_OUT = "moved_out", _("Chuyển đi")
        SPLIT = "split", _("Tách hộ")
        KEPT_PREVIOUS = "kept_previous", _("Không rà soát lại — giữ kết quả năm trước")

    cycle = models.ForeignKey(
        ReviewCycle,
        verbose_name=_("đợt rà soát"),
        on_delete=models.CASCADE,
        related_name="exemptions",
    )
    household = models.ForeignKey(
        Household, verbose_name=_("hộ"), on_delete=models.PROTECT, related_name="exemptions"
    )
    reason = models.CharField(_("lý do"), max_length=14, choices=Reason.choices)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("thời điểm ghi"), auto_now_add=True)

    objects = ExemptionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["recorded_at"])

    class Meta:
        verbose_name = _("lý do không có kết quả")
        verbose_name_plural = _("lý do không có kết quả")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "household"],
                name="one_exemption_per_household_per_cycle",
                violation_error_message=_("Hộ này đã có lý do không rà soát trong đợt này."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.get_reason_display()}"


class RequestQuerySet(ScopedQuerySet):
    area_path_lookup = "household__village__path"
    edit_action = "review"


class ReviewRequest(models.Model):
    """An ad-hoc review (rà soát thường xuyên): a household's application, the result the
    officer records in the commune's ad-hoc cycle, and the commune's decision. Its result counts
    in figures "as of a date" from ``decision_date`` on."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("Đề nghị rà soát (xét vào hộ nghèo, cận nghèo)")
        EXIT = "exit", _("Đề nghị công nhận thoát nghèo, thoát cận nghèo")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Đã nhận đơn")
        ASSESSED = "assessed", _("Đã rà soát")
        DECIDED = "decided", _("Đã có quyết định")
        WITHDRAWN = "withdrawn", _("Rút đơn / không xét")

    household = models.ForeignKey(
        Household, verbose_name=_("hộ"), on_delete=models.PROTECT, related_name="requests"
    )
    kind = models.CharField(_("loại đề nghị"), max_length=10, choices=Kind.choices)
    received_on = models.DateField(_("ngày nhận đơn"))
    applicant = models.CharField(_("người làm đơn"), max_length=120, blank=True)
    note = models.CharField(_("nội dung"), max_length=500, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    assessment = models.OneToOneField(
        "Assessment",
        verbose_name=_("kết quả rà soát"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="request",
    )
    decision_number = models.CharField(_("số quyết định"), max_length=40, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("thời điểm ghi"), auto_now_add=True)

    objects = RequestQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["recorded_at"])

    class Meta:
        verbose_name = _("đề nghị rà soát thường xuyên")
        verbose_name_plural = _("đề nghị rà soát thường xuyên")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="decided", decision_date__isnull=False) | ~Q(status="decided"),
                name="decided_request_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.get_kind_display()} · {self.received_on:%d/%m/%Y}"


class AssessmentQuerySet(ScopedQuerySet):
    # The snapshot village: a household that moves later stays in last year's village figures.
    area_path_lookup = "village__path"

    def for_cycle(self, cycle: ReviewCycle) -> AssessmentQuerySet:
        return self.filter(cycle=cycle)

    def periodic_of_year(self, year: int) -> AssessmentQuerySet:
        return self.filter(cycle__year=year, cycle__kind=ReviewCycle.Kind.PERIODIC)

    def poor(self) -> AssessmentQuerySet:
        return self.filter(household_class=HouseholdClass.POOR)

    def near_poor(self) -> AssessmentQuerySet:
        return self.filter(household_class=HouseholdClass.NEAR_POOR)

    def class_totals(self) -> dict[str, dict[str, int]]:
        """{class: {"households": n, "members": m}} in one query."""
        rows = self.values("household_class").annotate(
            households=Count("id"), members=Sum("member_count")
        )
        return {
            r["household_class"]: {"households": r["households"], "members": r["members"] or 0}
            for r in rows.order_by()
        }


class Assessment(models.Model):
    CLASS_CHOICES = [
        (HouseholdClass.POOR.value, _("Hộ nghèo")),
        (HouseholdClass.NEAR_POOR.value, _("Hộ cận nghèo")),
        (HouseholdClass.AVERAGE.value, _("Hộ có mức sống trung bình")),
        (HouseholdClass.NOT_POOR.value, _("Hộ không nghèo")),
    ]
    MEASURE_CHOICES = [
        (Measure.INCOME.value, _("Thu nhập bình quân")),
        (Measure.B1_SCORE.value, _("Điểm B1")),
    ]

    cycle = models.ForeignKey(
        ReviewCycle,
        verbose_name=_("đợt rà soát"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    household = models.ForeignKey(
        Household, verbose_name=_("hộ"), on_delete=models.PROTECT, related_name="assessments"
    )
    village = models.ForeignKey(
        Area,
        verbose_name=_("thôn (tại thời điểm rà soát)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    standard = models.ForeignKey(
        "indicators.PovertyStandard",
        verbose_name=_("chuẩn nghèo"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_urban = models.BooleanField(_("thành thị"))
    income_per_capita = models.PositiveIntegerField(
        _("thu nhập bình quân (đồng/người/tháng)"), null=True, blank=True
    )
    b1_score = models.PositiveSmallIntegerField(_("điểm B1"), null=True, blank=True)
    member_count = models.PositiveSmallIntegerField(_("số nhân khẩu"))
    deprived_indicators = models.ManyToManyField(
        "indicators.Indicator",
        through="Deprivation",
        related_name="+",
        verbose_name=_("chỉ số thiếu hụt"),
    )
    deprivation_count = models.PositiveSmallIntegerField(_("số chỉ số thiếu hụt"))
    household_class = models.CharField(_("phân loại"), max_length=10, choices=CLASS_CHOICES)
    decided_by = models.CharField(_("căn cứ phân loại"), max_length=6, choices=MEASURE_CHOICES)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("thời điểm nhập"))
    deprived_codes = models.CharField(
        _("các chỉ số thiếu hụt"),
        max_length=120,
        blank=True,
        help_text=_("Bản sao để xem lịch sử thay đổi; số liệu báo cáo lấy từ bảng thiếu hụt."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = AssessmentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["recorded_at"])

    class Meta:
        verbose_name = _("kết quả rà soát")
        verbose_name_plural = _("kết quả rà soát")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "household"],
                name="one_assessment_per_household_per_cycle",
                violation_error_message=_("Hộ này đã có kết quả trong đợt rà soát này."),
            ),
            models.CheckConstraint(
                condition=Q(income_per_capita__isnull=False) | Q(b1_score__isnull=False),
                name="assessment_has_income_or_b1",
            ),
            models.CheckConstraint(condition=Q(member_count__gte=1), name="assessment_members"),
        ]
        indexes = [
            models.Index(fields=["cycle", "household_class"], name="assess_cycle_class"),
            # the list's sorts by class and by income (households.queries.SORTS)
            models.Index(
                fields=["household_class", "income_per_capita"], name="assess_class_income"
            ),
            models.Index(fields=["income_per_capita"], name="assess_income"),
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.cycle}"

    @property
    def b2_score(self) -> int:
        return self.deprivation_count * self.standard.b2_points_per_indicator


class Deprivation(models.Model):
    """One indicator in which an assessed household is deprived."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="deprivations"
    )
    indicator = models.ForeignKey(
        "indicators.Indicator", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("thiếu hụt")
        verbose_name_plural = _("thiếu hụt")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="deprivation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.indicator_id}"


class IndicatorOverride(models.Model):
    """An officer's answer that differs from what member or dwelling data says, with the reason."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="overrides")
    indicator = models.ForeignKey(
        "indicators.Indicator", on_delete=models.PROTECT, related_name="+"
    )
    derived_deprived = models.BooleanField(_("theo dữ liệu: thiếu hụt"))
    recorded_deprived = models.BooleanField(_("cán bộ ghi: thiếu hụt"))
    reason = models.CharField(_("lý do"), max_length=300)

    class Meta:
        verbose_name = _("điều chỉnh chỉ số")
        verbose_name_plural = _("điều chỉnh chỉ số")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="override_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.reason}"


def village_progress(area: Area, cycle_filter: Q, *, day: datetime.date | None = None) -> list:
    """Per village of a commune (per commune of a wider area): households on the registry on
    ``day`` (default today; a cycle's page passes its reference date), and the results of the
    cycles selected by ``cycle_filter`` (a condition on ``cycle``) counted as the reports count
    them (households/standing.py): a household off the cycle's registry is in no count, one the
    cycle keeps at its previous result counts as reviewed, in its previous class. Four queries
    whatever the number of households."""
    from .standing import on_registry

    wide = area.kind in (Area.Kind.PROVINCE, Area.Kind.DISTRICT)
    unit = "village__parent_id" if wide else "village_id"
    households = dict(
        Household.objects.within(area)
        .filter(on_registry(day or timezone.localdate()))
        .values_list(unit)
        .annotate(n=Count("id"))
        .order_by()
    )
    counted = on_registry(models.F("cycle__reference_date"), "household")
    reviewed = {
        row[unit]: row
        for row in Assessment.objects.within(area)
        .filter(cycle_filter, counted)
        .values(unit)
        .annotate(
            n=Count("id"),
            poor=Count("id", filter=Q(household_class=HouseholdClass.POOR)),
            near=Count("id", filter=Q(household_class=HouseholdClass.NEAR_POOR)),
        )
        .order_by()
    }
    # Kept at the previous result: the household's latest result of an earlier finalised review.
    previous = (
        Assessment.objects.filter(
            household_id=models.OuterRef("household_id"),
            cycle__kind=ReviewCycle.Kind.PERIODIC,
            cycle__status=ReviewCycle.Status.FINALISED,
            cycle__year__lt=models.OuterRef("cycle__year"),
        )
        .order_by("-cycle__year")
        .values("household_class")[:1]
    )
    kept_unit = "household__village__parent_id" if wide else "household__village_id"
    for row in (
        ReviewExemption.objects.within(area)
        .filter(cycle_filter, counted, reason=ReviewExemption.Reason.KEPT_PREVIOUS)
        .exclude(
            models.Exists(
                Assessment.objects.filter(
                    cycle_id=models.OuterRef("cycle_id"),
                    household_id=models.OuterRef("household_id"),
                )
            )
        )
        .annotate(klass=models.Subquery(previous))
        .values(kept_unit)
        .annotate(
            n=Count("id"),
            poor=Count("id", filter=Q(klass=HouseholdClass.POOR)),
            near=Count("id", filter=Q(klass=HouseholdClass.NEAR_POOR)),
        )
        .order_by()
    ):
        done = reviewed.setdefault(row[kept_unit], {"n": 0, "poor": 0, "near": 0})
        for key in ("n", "poor", "near"):
            done[key] += row[key]
    kind = Area.Kind.COMMUNE if wide else Area.Kind.VILLAGE
    units = sorted(Area.objects.within(area).filter(kind=kind), key=by_name)
    rows = []
    for unit_area in units:
        total = households.get(unit_area.pk, 0)
        done = reviewed.get(unit_area.pk, {})
        rows.append(
            {
                "village": unit_area,
                "households": total,
                "reviewed": done.get("n", 0),
                "remaining": max(total - done.get("n", 0), 0),
                "poor": done.get("poor", 0),
                "near_poor": done.get("near", 0),
            }
        )
    return rows


class SummaryQuerySet(ScopedQuerySet):
    area_path_lookup = "village__path"  # the same scoping as the households themselves


class SummaryBasis(models.TextChoices):
    """What a summary row counts (households/summary.py and docs/architecture.md, "Summary
    counts", say it precisely)."""

    FIGURES = "figures", _("số liệu của năm")  # standing.year_results, by the result's village
    RESULTS = "results", _("kết quả của đợt")  # a cycle's results, by the household's village
    REGISTRY = "registry", _("sổ theo dõi tại ngày chốt")  # the denominator of a cycle's year
    HOUSEHOLDS = "households", _("số hộ trong sổ")  # every household of the village, no date


class SummaryCount(models.Model):
    """Households (and the members of their results) of one village counted one way
    (``basis``) for one year, cycle and class; kept by ``households.summary.refresh`` in the
    transaction of every write, rebuilt by ``manage.py rebuild_summary``."""

    basis = models.CharField(max_length=10, choices=SummaryBasis.choices)
    year = models.PositiveSmallIntegerField()  # 0 for HOUSEHOLDS
    cycle = models.ForeignKey(ReviewCycle, null=True, on_delete=models.CASCADE, related_name="+")
    village = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    commune = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    household_class = models.CharField(max_length=10, blank=True)  # blank: registry, households
    households = models.PositiveIntegerField()
    members = models.PositiveIntegerField(default=0)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("số liệu tổng hợp")
        verbose_name_plural = _("số liệu tổng hợp")
        indexes = [models.Index(fields=["basis", "year"], name="summary_basis_year")]

    def __str__(self) -> str:
        return f"{self.basis} {self.year} {self.village_id} {self.household_class}"


class SummaryIndicatorCount(models.Model):
    """:class:`SummaryCount` of the households deprived in one indicator (FIGURES, RESULTS)."""

    basis = models.CharField(max_length=10, choices=SummaryBasis.choices)
    year = models.PositiveSmallIntegerField()
    cycle = models.ForeignKey(ReviewCycle, null=True, on_delete=models.CASCADE, related_name="+")
    village = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    commune = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(
        "indicators.Indicator", on_delete=models.CASCADE, related_name="+"
    )
    household_class = models.CharField(max_length=10)
    households = models.PositiveIntegerField()
    members = models.PositiveIntegerField(default=0)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("số liệu tổng hợp theo chỉ số")
        verbose_name_plural = _("số liệu tổng hợp theo chỉ số")
        indexes = [models.Index(fields=["basis", "year"], name="summary_ind_basis_year")]

    def __str__(self) -> str:
        return f"{self.basis} {self.year} {self.village_id} {self.indicator_id}"
