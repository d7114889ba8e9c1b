"""Working days in mainland China, for deadlines counted in working days (the public notice of
an application). The State Council publishes each year's holidays and the weekend days worked
in exchange (调休); the `chinesecalendar` package carries that schedule.

For a year the package does not know yet, the fixed-date statutory holidays (New Year's Day,
1–2 May, 1–3 October) and weekends are all that is certain; the district can add the
published schedule in settings (`ZHIBIAO_HOLIDAYS`, `ZHIBIAO_WORKDAYS`) until the package is
upgraded. Days in those settings always win.
"""

from __future__ import annotations

import datetime
import logging

import chinese_calendar
from django.conf import settings

log = logging.getLogger(__name__)

#: Statutory holidays on fixed dates (全国年节及纪念日放假办法), as (month, day).
FIXED_HOLIDAYS = {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}


def is_working_day(day: datetime.date) -> bool:
    if day in settings.CALENDAR_HOLIDAYS:
        return False
    if day in settings.CALENDAR_WORKDAYS:
        return True
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year whose schedule the package does not carry yet
        log.warning("no holiday schedule for %s: counting Monday to Friday", day.year)
        return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The day on which `days` working days after `start` (not counting it) are complete."""
    day = start
    while days > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day
