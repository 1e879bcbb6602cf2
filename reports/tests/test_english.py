"""English mode: names kept in two languages (indicators, dimensions, the programme, projects,
sub-projects) and numbers follow the interface language on pages, HTML reports and XLSX; the
official PDF stays Vietnamese whatever the interface language."""

import importlib
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core import formatting
from core.forms import NumberField
from households.tests.report_data import populate
from indicators.models import Indicator
from projects.english_names import english_name
from projects.models import Programme, Project, SubProject
from reports.registry import SPECS
from reports.tests.text import document_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(village_a, village_b):
    populate(village_a, 10, poor=2, near=1, year=2023)
    populate(village_b, 5, poor=1, year=2023)
    return village_a.parent


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_numbers_follow_the_interface_language():
    with translation.override("en"):
        assert formatting.format_int(1295) == "1,295"
        assert formatting.format_percent(Decimal("37.75")) == "37.75 %"
        assert formatting.format_number(Decimal("3326.60")) == "3,326.6"
        assert formatting.format_million_dong(3_326_600_000) == "3,326.6"
        with formatting.vietnamese():  # what a number input shows, read back the Vietnamese way
            assert formatting.format_number(Decimal("3326.60")) == "3.326,6"
    with translation.override("vi"):
        assert formatting.format_int(1295) == "1.295"
        assert formatting.format_percent(Decimal("37.75")) == "37,75 %"
        assert formatting.format_number(Decimal("7.50")) == "7,5"


def test_a_number_input_keeps_the_grammar_it_is_read_with_in_english():
    field = NumberField(decimals=2)
    with translation.override("en"):
        shown = field.prepare_value(Decimal("1295.5"))
        assert shown == "1.295,5"
        assert field.clean(shown) == Decimal("1295.5")


def test_indicator_and_dimension_names_are_stored_in_both_languages():
    indicators = list(Indicator.objects.select_related("dimension"))
    assert indicators and all(i.name_en and i.dimension.name_en for i in indicators)
    employment = next(i for i in indicators if i.code == "1.1")
    with translation.override("en"):
        assert employment.localized_name == employment.name_en == "Employment"
        assert str(employment.dimension) == "1. Employment"
    with translation.override("vi"):
        assert employment.localized_name == "Việc làm"


def test_the_programme_projects_and_subprojects_of_the_demo_have_english_names():
    import json

    spec = json.loads((settings.BASE_DIR / "fixtures/demo_projects_2024.json").read_text())
    for programme in spec["programmes"]:
        assert programme["name_en"] == english_name("programme", programme["name"]) != ""
        for project in programme["projects"]:
            assert project["name_en"] == english_name("project", project["name"]) != ""
            for sub in project["subprojects"]:
                assert sub["name_en"] == english_name("subproject", sub["name"]) != ""


def test_the_data_migration_fills_english_names_and_keeps_typed_ones():
    from django.apps import apps

    programme = Programme.objects.create(
        code="GNBV-X",
        name="Chương trình mục tiêu quốc gia Giảm nghèo bền vững giai đoạn 2021 - 2025",
        start_year=2021,
        end_year=2025,
    )
    project = Project.objects.create(
        programme=programme, number=6, name="Truyền thông và giảm nghèo về thông tin"
    )
    typed = SubProject.objects.create(
        project=project,
        programme=programme,
        code="A",
        number=1,
        name="Cải thiện dinh dưỡng",
        name_en="Mine",
    )
    unknown = SubProject.objects.create(
        project=project, programme=programme, code="B", number=2, name="Một tiểu dự án khác"
    )
    known = SubProject.objects.create(
        project=project, programme=programme, code="C", number=3, name="Giảm nghèo  về thông tin"
    )
    importlib.import_module("projects.migrations.0005_fill_names_en").fill(apps, None)
    for row in (programme, project, typed, unknown, known):
        row.refresh_from_db()
    assert programme.name_en.startswith("National Target Programme for Sustainable Poverty")
    assert project.name_en == "Communication and information poverty reduction"
    assert (typed.name_en, unknown.name_en) == ("Mine", "")
    assert known.name_en == "Information poverty reduction"
    with translation.override("en"):
        assert str(project) == "Project 6: Communication and information poverty reduction"
        assert unknown.localized_name == "Một tiểu dự án khác"  # no English: the Vietnamese


def test_an_english_html_report_and_xlsx_show_english_names_the_pdf_vietnamese(
    client, officer, data
):
    english(client).force_login(officer)
    url = reverse("report", args=["baseline"]) + f"?area={data.pk}&year=2023"
    html = client.get(url).content.decode()
    assert 'lang="en"' in html
    assert "Employment" in html and "Health insurance" in html
    assert "20.00 %" in html and "20,00 %" not in html
    xlsx = document_text(client.get(url + "&format=xlsx").content)
    assert "Employment" in xlsx and "Việc làm" not in xlsx
    pdf = document_text(client.get(url + "&format=pdf").content)
    assert "Việc làm" in pdf and "Bảo hiểm y tế" in pdf
    assert "Employment" not in pdf and "Health insurance" not in pdf
    assert "20,00 %" in pdf and "20.00 %" not in pdf
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pdf
    # the same page in Vietnamese
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    html = client.get(url).content.decode()
    assert "Việc làm" in html and "Employment" not in html and "20,00 %" in html


def test_report_names_switch_with_the_interface_language():
    title = SPECS["baseline"].title
    with translation.override("en"):
        assert str(title) == "Situation of poor and near-poor households (section I of the plan)"
    with translation.override("vi"):
        assert str(title) == "Thực trạng hộ nghèo, cận nghèo (mục I của kế hoạch)"
    # every registered report's name is a translatable string, looked up when shown
    from django.utils.functional import Promise

    assert all(isinstance(spec.title, Promise) for spec in SPECS.values())


def test_the_plan_section_titles_are_kept_in_both_languages():
    from plan.defaults import SECTION_TITLES, section_title

    assert all(t.vi and t.en and t.vi != t.en for t in SECTION_TITLES.values())
    with translation.override("en"):
        assert section_title("objectives", year=2024) == "II. Targets for 2024"
        assert section_title("situation", year=2024).endswith("end of 2023")
    with translation.override("vi"):
        assert section_title("situation", year=2024) == (
            "I. Thực trạng hộ nghèo đa chiều cuối năm 2023"
        )
