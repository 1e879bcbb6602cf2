"""Bulk actions on the households ticked in the list page (issue 15, item 6): Phiếu B, adding
them to a sub-project's beneficiaries, the Excel export; the limit, the scope and the queries."""

import datetime
import io
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.tests.factories import UserFactory
from audit.models import AccessLog
from households.bulk import MAX_SELECTED
from households.tests.factories import HouseholdFactory, ReviewCycleFactory
from projects import services as project_services
from projects.models import Beneficiary
from projects.tests.factories import ActivityFactory, AssignmentFactory
from reports.tests.text import document_text

pytestmark = pytest.mark.django_db

LIST = "/households/"


@pytest.fixture
def homes(commune, village_a):
    ReviewCycleFactory(commune=commune, year=2024)
    return [
        HouseholdFactory(village=village_a, code=f"A{i}", head_name=f"Chủ hộ A {i}")
        for i in range(1, 6)
    ]


@pytest.fixture
def foreign(village_b):
    return HouseholdFactory(village=village_b, code="B1", head_name="Chủ hộ Thôn B")


@pytest.fixture
def assignment(commune):
    return AssignmentFactory(commune=commune, year=2024)


def target(assignment, activity=None) -> str:
    return f"a{assignment.pk}" + (f"-{activity.pk}" if activity else "")


def support(assignment, households, activity=None, **extra):
    return {
        "step": "confirm",
        "selected": [h.pk for h in households],
        "target": target(assignment, activity),
        "support_kind": "in_kind",
        "description": "Giống lúa",
        "value": "1.500.000",
        "supported_on": "2024-06-15",
        **extra,
    }


def errors_of(response) -> list[str]:
    """The messages the redirect's page shows (read there, so the next request starts clean)."""
    page = response.client.get(response.url)
    return [str(m) for m in page.context["messages"]]


def sheet(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


# --- the list page ------------------------------------------------------------------------


def test_the_list_is_one_form_with_a_box_per_row_and_the_actions_the_user_may_take(
    client, officer, viewer, homes
):
    client.force_login(officer)
    html = client.get(LIST, {"sort": "code"}).content.decode()
    assert 'data-testid="bulk-form"' in html
    for h in homes:
        assert f'name="selected" value="{h.pk}"' in html
    assert "data-bulk-all" in html
    for action in ("review_bulk_print", "beneficiary_bulk", "household_bulk_export"):
        assert f'formaction="{reverse(action)}"' in html
    assert '<input type="hidden" name="sort" value="code">' in html  # the filters come back
    client.force_login(viewer)  # reads lists, records nothing
    html = client.get(LIST).content.decode()
    assert f'formaction="{reverse("beneficiary_bulk")}"' not in html
    assert f'formaction="{reverse("review_bulk_print")}"' in html


def test_ticking_costs_the_list_page_no_query(
    client, officer, homes, django_assert_max_num_queries
):
    client.force_login(officer)
    client.get(LIST)
    with django_assert_max_num_queries(15) as few:
        client.get(LIST)
    for i in range(40):
        HouseholdFactory(village=homes[0].village, code=f"M{i:03d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST, {"per_page": "50"})


# --- add to a sub-project's beneficiaries -------------------------------------------------


def test_a_board_adds_three_households_after_a_confirmation_page(
    client, board_a, homes, assignment
):
    activity = ActivityFactory(assignment=assignment, area=homes[0].village)
    chosen = homes[:3]
    client.force_login(board_a)
    page = client.post(
        reverse("beneficiary_bulk"), {"selected": [h.pk for h in chosen], "sort": "code"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert all(h.head_name in html for h in chosen) and homes[3].head_name not in html
    assert f'value="{target(assignment, activity)}"' in html and "data-confirm=" in html
    assert not Beneficiary.objects.exists()  # the page itself writes nothing
    done = client.post(reverse("beneficiary_bulk"), support(assignment, chosen, activity))
    assert done.status_code == 302
    assert done.url == reverse("assignment_detail", args=[assignment.pk])
    rows = Beneficiary.objects.order_by("household__code")
    assert [b.household.code for b in rows] == ["A1", "A2", "A3"]
    assert {(b.activity_id, b.value, b.recorded_by_id, b.village_id) for b in rows} == {
        (activity.pk, 1_500_000, board_a.pk, homes[0].village_id)
    }
    assert errors_of(done) == ["Đã thêm 3 hộ vào danh sách thụ hưởng: " + activity.title + "."]


def test_households_already_listed_are_reported_and_not_added_twice(
    client, officer, homes, assignment
):
    project_services.beneficiary_record(
        assignment=assignment, household=homes[0], support_kind="cash", description="Trước"
    )
    client.force_login(officer)
    done = client.post(reverse("beneficiary_bulk"), support(assignment, homes[:3]))
    assert done.status_code == 302
    assert Beneficiary.objects.filter(household=homes[0]).count() == 1
    assert Beneficiary.objects.count() == 3
    said = errors_of(done)
    assert said[0].startswith("Đã thêm 2 hộ")
    assert said[1] == "1 hộ đã có trong danh sách này từ trước, không thêm lại: A1."


def test_a_board_posting_another_villages_household_is_refused_and_nothing_written(
    client, board_a, homes, foreign, assignment
):
    client.force_login(board_a)
    for data in (
        {"selected": [homes[0].pk, foreign.pk]},
        support(assignment, [homes[0], foreign]),
    ):
        response = client.post(reverse("beneficiary_bulk"), data)
        assert response.status_code == 302 and response.url.startswith(LIST)
        said = errors_of(response)
        assert said and "nằm ngoài phạm vi" in said[0]
        assert "Chủ hộ Thôn B" not in " ".join(said) and "B1" not in " ".join(said)
    assert not Beneficiary.objects.exists()


def test_a_household_the_model_refuses_refuses_them_all(client, officer, homes, assignment):
    homes[1].left_registry_on = datetime.date(2024, 2, 1)
    homes[1].save()
    client.force_login(officer)
    response = client.post(reverse("beneficiary_bulk"), support(assignment, homes[:3]))
    assert response.status_code == 200
    assert "A2 đã ra khỏi danh sách" in response.content.decode()
    assert not Beneficiary.objects.exists()  # all or nothing
    # a field wrong for all is said once
    response = client.post(
        reverse("beneficiary_bulk"), support(assignment, homes[:3], supported_on="2023-01-01")
    )
    assert response.content.decode().count("Ngày hỗ trợ phải thuộc năm 2024") == 1
    assert not Beneficiary.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "finance"])
def test_a_viewer_or_finance_cannot_add_beneficiaries(
    client, commune, district, homes, assignment, role
):
    user = UserFactory(membership=(district if role == "viewer" else commune, role))
    client.force_login(user)
    response = client.post(reverse("beneficiary_bulk"), support(assignment, homes[:2]))
    assert response.status_code == 403
    assert not Beneficiary.objects.exists()


def test_more_than_the_limit_is_refused_with_the_count(client, officer, homes, assignment):
    client.force_login(officer)
    ids = [h.pk for h in homes] + list(range(10**6, 10**6 + MAX_SELECTED))
    response = client.post(reverse("beneficiary_bulk"), {"selected": ids, "sort": "code"})
    assert response.status_code == 302 and response.url == f"{LIST}?sort=code"
    assert errors_of(response) == [
        f"Đã chọn {MAX_SELECTED + 5} hộ; mỗi lần chỉ làm được tối đa {MAX_SELECTED} hộ. Hãy bỏ "
        "bớt hoặc chia thành nhiều lần."
    ]
    response = client.post(reverse("beneficiary_bulk"), {"selected": []})
    assert "Chưa chọn hộ nào" in errors_of(response)[0]
    response = client.post(reverse("beneficiary_bulk"), {"selected": ["1 OR 1=1"]})
    assert "không hợp lệ" in errors_of(response)[0]
    assert not Beneficiary.objects.exists()


def test_adding_many_costs_a_bounded_number_of_queries(
    client, officer, homes, assignment, village_a, django_assert_max_num_queries
):
    client.force_login(officer)
    client.get(LIST)
    with django_assert_max_num_queries(25) as few:
        client.post(reverse("beneficiary_bulk"), support(assignment, homes[:2]))
    more = [HouseholdFactory(village=village_a, code=f"N{i:02d}") for i in range(30)]
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.post(reverse("beneficiary_bulk"), support(assignment, more))
    assert Beneficiary.objects.count() == 32
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.post(reverse("beneficiary_bulk"), {"selected": [h.pk for h in more]})


# --- Phiếu B and the export ---------------------------------------------------------------


def test_phieu_b_of_the_ticked_households_is_one_pdf(client, officer, village_a):
    from reports.tests.test_provisional import two_years

    homes = two_years(village_a)
    client.force_login(officer)
    chosen = [homes[1], homes[4], homes[7]]
    response = client.post(reverse("review_bulk_print"), {"selected": [h.pk for h in chosen]})
    assert response.status_code == 302
    query = parse_qs(urlparse(response.url).query)
    assert urlparse(response.url).path == reverse("report", args=["review_form"])
    assert query["area"] == [str(village_a.pk)] and query["year"] == ["2024"]
    assert sorted(query["household"][0].split(",")) == sorted(h.code for h in chosen)
    pdf = client.get(response.url)
    assert pdf.status_code == 200
    text = document_text(pdf.content)
    assert text.count("PHIẾU B") == 3
    assert all(h.code in text for h in chosen)
    assert homes[0].code not in text and homes[2].code not in text
    assert AccessLog.objects.filter(action=AccessLog.Action.REPORT_DOWNLOAD).count() == 1


def test_phieu_b_refuses_more_than_the_browser_can_draw_and_a_foreign_household(
    client, officer, board_a, homes, foreign, settings
):
    settings.REPORT_WEB_LIMIT_SECONDS = 3  # 1,5 s + 35 rows × 0,012 s a form: 3 forms
    client.force_login(officer)
    response = client.post(reverse("review_bulk_print"), {"selected": [h.pk for h in homes]})
    assert response.status_code == 302 and response.url.startswith(LIST)
    assert errors_of(response) == [
        "Phiếu B in trên trình duyệt được tối đa 3 hộ một lần (đã chọn 5 hộ). Hãy in thành "
        "nhiều lần."
    ]
    client.force_login(board_a)
    response = client.post(reverse("review_bulk_print"), {"selected": [homes[0].pk, foreign.pk]})
    assert response.url.startswith(LIST) and "nằm ngoài phạm vi" in errors_of(response)[0]


def test_the_export_of_the_ticked_households_has_the_lists_columns_and_only_them(
    client, officer, homes, foreign
):
    client.force_login(officer)
    whole = client.get(reverse("imports:export_households"))
    columns = next(sheet(whole).iter_rows(values_only=True))
    response = client.post(
        reverse("household_bulk_export"),
        {"selected": [homes[2].pk, foreign.pk], "sort": "code", "page": "2"},
    )
    assert response.status_code == 302
    assert "page=" not in response.url and "sort=code" in response.url
    book = client.get(response.url)
    rows = list(sheet(book).iter_rows(values_only=True))
    assert rows[0] == columns
    text = " ".join(str(v) for row in rows[1:] for v in row if v)
    assert "A3" in text and "B1" in text and "A1" not in text and "A4" not in text
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT, rows=2).exists()


def test_the_export_refuses_a_household_out_of_a_boards_village(client, board_a, homes, foreign):
    client.force_login(board_a)
    response = client.post(
        reverse("household_bulk_export"), {"selected": [homes[0].pk, foreign.pk]}
    )
    assert response.url.startswith(LIST) and "nằm ngoài phạm vi" in errors_of(response)[0]
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_print_and_export_cost_the_same_queries_for_two_or_thirty(
    client, officer, homes, village_a, settings, django_assert_max_num_queries
):
    settings.REPORT_WEB_LIMIT_SECONDS = 60  # thirty forms allowed: both handed over
    more = [HouseholdFactory(village=village_a, code=f"N{i:02d}") for i in range(30)]
    client.force_login(officer)
    client.get(LIST)
    for action in ("review_bulk_print", "household_bulk_export"):
        with django_assert_max_num_queries(10) as few:
            assert (
                client.post(reverse(action), {"selected": [h.pk for h in homes[:2]]}).status_code
                == 302
            )
        with django_assert_max_num_queries(len(few.captured_queries)):
            handed = client.post(reverse(action), {"selected": [h.pk for h in more]})
        assert not handed.url.startswith(LIST), action
