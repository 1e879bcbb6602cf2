"""The posting's 3 working days (Monday to Friday; the start day counts when it is one)."""

import datetime

import pytest

from review.workdays import is_working_day, working_days_end

MONDAY = datetime.date(2024, 12, 16)


def day(offset):
    return MONDAY + datetime.timedelta(days=offset)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (day(0), day(2)),  # Mon → Wed
        (day(2), day(4)),  # Wed → Fri
        (day(3), day(7)),  # Thu → Mon
        (day(4), day(8)),  # Fri → Tue
        (day(5), day(9)),  # Sat → Wed: begins on Monday
        (day(6), day(9)),  # Sun → Wed
    ],
)
def test_three_working_days(start, end):
    assert working_days_end(start) == end


def test_one_working_day_is_the_day_itself_or_the_next_monday():
    assert working_days_end(day(1), 1) == day(1)
    assert working_days_end(day(5), 1) == day(7)


def test_weekends_are_not_working_days():
    assert [is_working_day(day(i)) for i in range(7)] == [True] * 5 + [False] * 2


def test_a_period_needs_a_day():
    with pytest.raises(ValueError):
        working_days_end(MONDAY, 0)
