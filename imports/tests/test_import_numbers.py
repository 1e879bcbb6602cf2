"""The import reads money as the forms do (core.numbers.parse_amount) and refuses, in the preview,
what the columns cannot hold (issue 15, item 2)."""

import pytest

from households.models import Assessment
from households.tests.factories import HouseholdFactory, MemberFactory, ReviewCycleFactory
from imports.columns import CellProblem, parse_money
from imports.tests.test_imports import A, messages, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(commune):
    return ReviewCycleFactory(commune=commune, year=2023)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1.200.000", 1_200_000),
        ("1 200 000", 1_200_000),
        ("1,2 triệu", 1_200_000),
        ("800k", 800_000),
    ],
)
def test_an_income_cell_is_read_as_the_review_form_reads_it(cell, expected):
    assert parse_money(cell) == expected


@pytest.mark.parametrize(("cell", "message"), [("1,2", "Phải là số nguyên"), ("1e5", "không phải")])
def test_an_income_cell_that_is_not_whole_dong_is_a_problem(cell, message):
    with pytest.raises(CellProblem, match=message):
        parse_money(cell)


def results_file(income):
    return xlsx({"Kết quả rà soát": [A, ["T-0001", income, None, *[""] * 12]]})


@pytest.mark.parametrize("income", [10**30, "1" + "0" * 30, 1e30])
def test_ten_to_the_thirty_is_a_row_problem_in_the_preview(cycle, village_a, officer, income):
    from imports.results import AssessmentImport

    home = HouseholdFactory(village=village_a, code="T-0001")
    MemberFactory(household=home)
    report = AssessmentImport(cycle=cycle, user=officer, source=results_file(income)).run()
    assert "lớn hơn mức tối đa 1.000.000.000" in messages(report)
    assert not Assessment.objects.exists()


def test_the_upload_page_previews_ten_to_the_thirty_as_a_problem_not_a_500(
    client, cycle, village_a, officer
):
    home = HouseholdFactory(village=village_a, code="T-0001")
    MemberFactory(household=home)
    client.force_login(officer)
    token = client.get("/imports/").context["token"]
    source = results_file("1" + "0" * 30)
    source.name = "ket-qua.xlsx"
    preview = client.post(
        "/imports/upload/assessments/",
        {"cycle": cycle.pk, "file": source, "token": token},
        follow=True,
    )
    assert preview.status_code == 200
    assert "lớn hơn mức tối đa 1.000.000.000" in preview.text
    assert "Xác nhận nhập" not in preview.text
    done = client.post(f"/imports/{preview.context['token']}/confirm/", follow=True)
    assert done.status_code == 200 and not Assessment.objects.exists()
