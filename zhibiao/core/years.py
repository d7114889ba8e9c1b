"""Years as filters and ranges: one definition of a plausible year, one way to turn a year into
the local moments that bound it, so that a typed or crawled year is a clear 404 or an ignored
filter, never a server error."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

#: Years a filter accepts: before the platform's records or far after today is a typing slip.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def parse_year(text: str | None) -> int | None:
    """A year typed in a query string, or None when it is not a plausible year."""
    try:
        year = int(str(text or "").strip())
    except ValueError:
        return None
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


def validate_plausible_date(value: datetime.date | None) -> None:
    """A date typed into a form (a plaque date, a screening's day): within the years the
    platform's records and pages cover, so that a slip in the date picker ("0024-05-01") is
    said at once instead of breaking the pages or the job that read it later."""
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(
            gettext("Give a date between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            code="implausible_date",
        )


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The first moment of the year and of the next, local time; a year outside the range
    is a 404 (a page for year 1 or 9999 does not exist)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    return start, timezone.make_aware(datetime.datetime(year + 1, 1, 1))
