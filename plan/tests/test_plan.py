import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from plan import services
from plan.document import narrative, number_text, plan_report
from projects import services as project_services
from projects.models import PlanText
from projects.tests.factories import AssignmentFactory, SubProjectFactory, UnitFactory
from reports.errors import ReportError

pytestmark = pytest.mark.django_db


def plan_url(commune, year=2024):
    return f"{reverse('plan_document')}?commune={commune.pk}&year={year}"


def text_url(key, commune, year=2024):
    return f"{reverse('plan_text_edit', args=[key])}?commune={commune.pk}&year={year}"


def test_typed_text_becomes_headings_bullets_and_paragraphs():
    blocks = narrative("3.1. Việc làm\nTăng cường tư vấn.\n- Kết nối lao động\n\n+ Ý phụ", "x")
    assert [(b.kind, b.level) for b in blocks] == [
        ("heading", 3),
        ("paragraph", 0),
        ("bullet", 0),
        ("bullet", 0),
    ]
    assert {b.part for b in blocks} == {"x"}


def test_figures_read_as_plans_print_them():
    assert number_text(7.64) == "7,64"
    assert number_text(100) == "100"
    assert number_text(3326.6) == "3.326,6"


def test_a_plan_is_built_without_review_targets_or_budget_and_says_what_is_missing(commune):
    """What is missing is a check, never a line of the official text."""
    report = plan_report(commune, 2024)
    warnings = [c.message for c in report.checks]
    assert any("2023" in w for w in warnings)  # no review at the end of 2023
    assert any("chỉ tiêu" in w for w in warnings)
    assert any("Chưa phân công" in w for w in warnings)
    text = " ".join(b.text for b in report.blocks)
    assert not any(w in text for w in warnings)
    assert report.draft


def test_the_plan_page_shows_the_appendix_column_groups_and_the_plan_year(
    client, officer, commune, village_a
):
    """The page uses the reports' table (grouped headers, total row) and the PDF's header: with no
    issue date, the date line names the plan's year, not today's."""
    from indicators.models import Target

    Target.objects.create(area=village_a, year=2024, metric=Target.Metric.POOR_REDUCTION, value=3)
    client.force_login(officer)
    page = client.get(plan_url(commune)).content.decode()
    assert "(có phụ lục 01 đính kèm)" in page
    appendix = page[page.index('data-table="appendix01"') :]
    assert "Cuối năm 2023" in appendix and 'colspan="2"' in appendix
    assert 'class="fw-bold total"' in appendix
    assert "năm 2024" in page and "năm 2026" not in page


def test_appendix_targets_keep_their_decimals(commune, village_a, village_b):
    from decimal import Decimal

    from indicators.models import Target

    for village, value in ((village_a, Decimal("2.5")), (village_b, Decimal("3"))):
        Target.objects.create(
            area=village, year=2024, metric=Target.Metric.POOR_REDUCTION, value=value
        )
    table = next(t for t in plan_report(commune, 2024).tables if t.key == "appendix01")
    column = next(c for c in table.columns if c.key == "poor_reduction")
    shown = [column.format(r["poor_reduction"]) for r in table.rows]
    assert shown == ["2,5", "3", "5,5"]  # Thôn A, Thôn B, the commune's total


def test_no_appendix_is_promised_without_village_reduction_targets(commune, village_a):
    from indicators.models import Target

    Target.objects.create(area=village_a, year=2024, metric=Target.Metric.JOBS, value=3)
    report = plan_report(commune, 2024)
    assert not any("phụ lục 01" in (b.text or "") for b in report.blocks)
    assert "appendix01" not in {t.key for t in report.tables}
    assert report.appendix == []


def test_a_plan_is_per_commune(district):
    with pytest.raises(ReportError, match="từng xã"):
        plan_report(district, 2024)


def test_a_typed_part_replaces_the_default_and_a_reset_brings_it_back(commune, officer):
    services.plan_text_set(
        commune=commune, year=2024, key="closing", text="Đoạn kết riêng./.", user=officer
    )
    assert any(b.text == "Đoạn kết riêng./." for b in plan_report(commune, 2024).blocks)
    assert not any(b.text == "Đoạn kết riêng./." for b in plan_report(commune, 2025).blocks)
    services.plan_text_reset(commune=commune, year=2024, key="closing", user=officer)
    assert not PlanText.objects.exists()


def test_saving_the_default_unchanged_stores_nothing(commune, officer):
    from plan.defaults import default_text
    from plan.document import running_name

    text = default_text("closing", commune=running_name(commune), year=2024)
    assert (
        services.plan_text_set(
            commune=commune, year=2024, key="closing", text=text + "\n", user=officer
        )
        is None
    )
    assert not PlanText.objects.exists()


def test_an_unknown_part_or_a_date_in_another_year_is_refused(commune, officer):
    with pytest.raises(ValidationError, match="Không có phần"):
        services.plan_text_set(commune=commune, year=2024, key="nope", text="x", user=officer)
    with pytest.raises(ValidationError, match="ban hành trong năm"):
        services.plan_details_set(
            commune=commune, year=2024, issued_on=datetime.date(2021, 1, 1), user=officer
        )


def test_the_officer_edits_a_part_on_the_page(client, officer, commune):
    client.force_login(officer)
    response = client.post(text_url("production", commune), {"text": "Nội dung do xã soạn."})
    assert response.status_code == 302
    page = client.get(plan_url(commune)).content.decode()
    assert "Nội dung do xã soạn." in page


def test_a_part_saved_by_someone_else_meanwhile_is_not_replaced_unseen(
    client, officer, other_officer, commune
):
    from accounts.models import Membership

    Membership.objects.create(user=other_officer, area=commune, role="officer")
    url = text_url("production", commune)
    client.force_login(officer)
    seen = client.get(url).context["form"]["seen"].value()  # the default text, as opened
    services.plan_text_set(
        commune=commune, year=2024, key="production", text="Bản của người kia.", user=other_officer
    )
    response = client.post(url, {"text": "Bản của tôi.", "seen": seen})
    assert response.status_code == 200
    page = response.content.decode()
    assert "vừa được người khác sửa" in page and "Bản của người kia." in page
    assert 'data-testid="saved-meanwhile"' in page and "Bản của tôi." in page  # kept to merge
    assert PlanText.objects.get(key="production").text == "Bản của người kia."
    # Saving again from that page (which now has seen the other text) replaces it knowingly.
    seen = response.context["form"]["seen"].value()
    assert client.post(url, {"text": "Bản của tôi.", "seen": seen}).status_code == 302
    assert PlanText.objects.get(key="production").text == "Bản của tôi."
    # The same text sent twice from a stale page is no conflict.
    assert client.post(url, {"text": "Bản của tôi.", "seen": seen}).status_code == 302


@pytest.mark.parametrize("persona", ["board_a", "viewer"])
def test_readers_read_the_plan_but_cannot_type_it(client, persona, request, commune):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(plan_url(commune)).status_code == 200
    response = client.post(text_url("production", commune), {"text": "Giả mạo"})
    assert response.status_code == 403
    details = f"{reverse('plan_details_edit')}?commune={commune.pk}&year=2024"
    assert client.post(details, {"number": "1"}).status_code == 403
    assert not PlanText.objects.exists()


def test_an_officer_of_another_commune_gets_nothing(client, other_officer, commune):
    client.force_login(other_officer)
    assert client.get(plan_url(commune)).status_code == 404
    assert client.post(text_url("production", commune), {"text": "x"}).status_code == 404


def test_the_plan_runs_a_bounded_number_of_queries(
    commune, village_a, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            a = AssignmentFactory(
                commune=commune,
                lead_unit=UnitFactory(commune=commune),
                subproject=SubProjectFactory(),
            )
            a.coordinating_units.add(UnitFactory(commune=commune))
            project_services.responsibility_set(
                unit=a.lead_unit, year=2024, duties="Việc.\n\nViệc khác."
            )

    grow(2)
    with django_assert_max_num_queries(40) as ctx:
        plan_report(commune, 2024)
    grow(10)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        plan_report(commune, 2024)


def test_empty_details_record_nothing_and_a_number_is_kept(commune, officer):
    from projects.models import Plan

    services.plan_details_set(commune=commune, year=2024, user=officer)
    assert not Plan.objects.exists()
    services.plan_details_set(
        commune=commune, year=2024, number="12", issued_on=datetime.date(2024, 3, 1), user=officer
    )
    assert plan_report(commune, 2024).document_values["number"] == "12"
