"""Working days for the public posting (niêm yết): Monday to Friday. Public holidays are not
known to the app and count as working days (docs/decisions-review.md, "Stages")."""

from __future__ import annotations

import datetime

#: how long the results are posted (Decision 24/2021/QĐ-TTg)
POSTING_WORKING_DAYS = 3


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5  # Saturday is 5, Sunday 6


def working_days_end(start: datetime.date, days: int = POSTING_WORKING_DAYS) -> datetime.date:
    """The last day of a period of ``days`` working days from ``start``: the start day counts
    when it is a working day, else the period begins on the next Monday. Fri → Tue, Mon → Wed,
    Sat or Sun → Wed."""
    if days < 1:
        raise ValueError("days must be at least 1")
    day = start
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    counted = 1
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day
