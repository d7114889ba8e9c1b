"""Working days as the State Council's schedule counts them, and the public notice's end."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from zhibiao.applications.services import publicity_end
from zhibiao.core.workdays import add_working_days, is_working_day

D = datetime.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 10, 1), False),  # National Day, a Thursday
        (D(2026, 10, 10), True),  # a Saturday worked in exchange (调休)
        (D(2026, 10, 11), False),  # a plain Sunday
        (D(2026, 9, 25), False),  # Mid-autumn, a Friday
        (D(2026, 11, 27), True),  # a plain Friday
        (D(2031, 10, 2), False),  # a year without a schedule: the fixed-date holiday still holds
        (D(2031, 10, 6), True),  # … and a plain Monday is a working day
        (D(2031, 10, 4), False),  # … a Saturday is not
    ],
)
def test_working_days(day, working, settings):
    settings.CALENDAR_HOLIDAYS = frozenset()
    settings.CALENDAR_WORKDAYS = frozenset()
    assert is_working_day(day) is working


def test_the_settings_add_a_schedule_the_package_does_not_have(settings):
    settings.CALENDAR_HOLIDAYS = frozenset({D(2031, 10, 6)})
    settings.CALENDAR_WORKDAYS = frozenset({D(2031, 10, 4)})
    assert not is_working_day(D(2031, 10, 6)) and is_working_day(D(2031, 10, 4))


def test_five_working_days_across_national_day(settings):
    settings.CALENDAR_HOLIDAYS = frozenset()
    settings.CALENDAR_WORKDAYS = frozenset()
    # 30 Sep 2026 (Wed): 1–7 Oct off; 8, 9, 10 (Saturday worked), 12, 13 October.
    assert add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 13)
    assert add_working_days(D(2026, 11, 23), 5) == D(2026, 11, 30)  # a week without holidays


def test_the_public_notice_ends_at_the_end_of_its_fifth_working_day(settings):
    settings.PUBLICITY_WORKING_DAYS = 5
    start = timezone.make_aware(datetime.datetime(2026, 9, 30, 10, 0))
    end = timezone.localtime(publicity_end(start))
    assert (end.date(), end.hour, end.minute) == (D(2026, 10, 13), 23, 59)


def test_a_malformed_date_in_the_settings_stops_the_start_by_name(tmp_path):
    env = {"ZHIBIAO_HOLIDAYS": "2027-02-30", "ZHIBIAO_VAR_DIR": str(tmp_path), "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-c", "import zhibiao.settings"],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "ZHIBIAO_HOLIDAYS" in result.stderr and "2027-02-08" in result.stderr
