"""manage.py snapshot_indicators [--date D] [--days N]: record the indicators' figures.

Celery beat runs it daily after midnight, for the day before (zhibiao.dashboard.tasks); --date
recomputes a past day.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhibiao.dashboard.services import snapshot


class Command(BaseCommand):
    help = "Record every indicator's figure for a day (default: yesterday), or N days back."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD (default: yesterday)")
        parser.add_argument("--days", type=int, default=1, help="how many days ending there")

    def handle(self, *args, date: str | None, days: int, **options):
        try:
            last = (
                datetime.date.fromisoformat(date)
                if date
                else timezone.localdate() - datetime.timedelta(days=1)
            )
        except ValueError:
            raise CommandError(f"Not a date: {date!r}; write it as 2026-11-26.") from None
        if last > timezone.localdate():
            raise CommandError("A snapshot is of a day that has begun, not of the future.")
        if not 1 <= days <= 3660:
            raise CommandError("--days is between 1 and 3660.")
        total = 0
        for offset in range(days - 1, -1, -1):
            total += snapshot(last - datetime.timedelta(days=offset))
        self.stdout.write(f"{total} figures recorded for {days} day(s) up to {last}.")
