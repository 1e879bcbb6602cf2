"""A table pasted from a document (Word, Excel) read into the figures of section I
(``reports.pasted``): labels, positions, Vietnamese numbers, and the rows it cannot place."""

import pytest

from households.tests.report_data import populate
from reports.pasted import map_pasted, split_cells
from reports.registry import SPECS

pytestmark = pytest.mark.django_db


@pytest.fixture
def section_one(village_a, village_b):
    populate(village_a, 10, poor=2, near=1, year=2023)
    populate(village_b, 5, poor=1, year=2023)
    return SPECS["baseline"].figures(village_a.parent, 2023)


def test_word_cells_are_split_on_tabs_with_stray_spaces_trimmed():
    line = "\t Hộ nghèo \t 98\u00a0\t400 \t7,57\t%\t\t"
    assert split_cells(line) == ["Hộ nghèo", "98", "400", "7,57 %"]
    assert split_cells("Hộ nghèo; 98; 400; 7,57 %") == ["Hộ nghèo", "98", "400", "7,57 %"]


def test_a_table_copied_from_word_maps_by_row_label(section_one):
    pasted = (
        "Chỉ tiêu\tSố hộ\tSố khẩu\tTỷ lệ\n"  # the header row: no figure, skipped
        "  Hộ nghèo và cận nghèo\t 4\t\t26,67 %\r\n"  # an empty members cell keeps its place
        "Số hộ nghèo \t3\t6\t20,00%\n"
        "Hộ  cận  nghèo\t1\t2\t6,67 %\n"
        "Tổng số hộ toàn xã\t1.295\t–\t–\n"
    )
    mapping = map_pasted(pasted, section_one)
    assert mapping.unmapped == []
    assert mapping.rows == 4
    assert mapping.values == {
        ("poor_and_near_poor", "households"): "4",
        ("poor_and_near_poor", "rate"): "26,67 %",
        ("poor", "households"): "3",
        ("poor", "members"): "6",
        ("poor", "rate"): "20,00%",
        ("near_poor", "households"): "1",
        ("near_poor", "members"): "2",
        ("near_poor", "rate"): "6,67 %",
        ("all", "households"): "1.295",
    }


def test_indicator_rows_map_by_code_name_or_definition_and_by_position(section_one):
    pasted = (
        "1.1\tViệc làm\t37\t37,75 %\t01\t2,78 %\n"  # a code cell is a label, not a figure
        "Chỉ số 2.2. Hộ gia đình có ít nhất 1 thành viên…\t3\t100 %\t1\t100 %\n"
        "\t\t0\t0 %\t0\t0 %\n"  # no label: the row after 2.2, i.e. 3.1
        "Nhà ở\t2\t66,67%\n"  # fewer figures than columns: the "%" one is the rate
        "Chất lượng nhà ở\t3\t100 %\t0\t0 %\n"  # 4.1 by its name
    )
    mapping = map_pasted(pasted, section_one)
    values = mapping.values
    assert values[("1.1", "poor")] == "37" and values[("1.1", "near_poor")] == "01"
    assert values[("1.1", "poor_rate")] == "37,75 %"
    assert values[("2.2", "poor")] == "3" and values[("2.2", "near_poor_rate")] == "100 %"
    assert values[("3.1", "poor")] == "0" and values[("3.1", "near_poor_rate")] == "0 %"
    assert values[("4.1", "poor")] == "3"
    # "Nhà ở" names a dimension, not a row of the table: reported, not guessed
    assert [(u.line, u.reason) for u in mapping.unmapped] == [(4, "Không nhận ra dòng “Nhà ở”.")]
    assert mapping.rows == 4


def test_rows_it_cannot_place_are_reported_with_their_line(section_one):
    pasted = (
        "Hộ nghèo\t3\t6\t20 %\n"
        "Hộ nghèo\t4\t8\t25 %\n"  # the same row twice
        "Hộ cận nghèo\t1\t2\t3\t4\t5 %\n"  # more counts than the table has columns for
        "Ghi chú: số liệu của xã\n"  # text only: not a row of figures
    )
    mapping = map_pasted(pasted, section_one)
    assert mapping.values[("poor", "households")] == "3"  # the first one stays
    reasons = {u.line: u.reason for u in mapping.unmapped}
    assert set(reasons) == {2, 3}
    assert "dòng 1" in reasons[2]
    assert "không có đủ cột" in reasons[3]
    assert mapping.unmapped[0].text == "Hộ nghèo | 4 | 8 | 25 %"


def test_an_indicator_named_by_its_definition_as_the_seed_writes_it(section_one):
    pasted = (
        "Hộ gia đình có ít nhất một người không có việc làm; hoặc có việc làm công ăn lương "
        "nhưng không có hợp đồng lao động\t37\t37,75%\t01\t2,78%\n"
    )
    mapping = map_pasted(pasted, section_one)
    assert mapping.unmapped == []
    assert mapping.values[("1.1", "poor_rate")] == "37,75%"
