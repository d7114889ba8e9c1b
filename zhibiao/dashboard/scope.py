"""What a figure is about: a year (or all years), a town, an industry, on a day."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone


@dataclass(frozen=True)
class Scope:
    year: int | None = None
    town: str = ""
    industry: str = ""  # a section letter (C) or a division (C27)
    day: datetime.date | None = None  # figures as they stood at the end of this day

    def __post_init__(self) -> None:
        if self.day is None:
            object.__setattr__(self, "day", timezone.localdate())

    @property
    def moment(self) -> datetime.datetime:
        """The end of the scope's day; today means now."""
        if self.day >= timezone.localdate():
            return timezone.now()
        return timezone.make_aware(datetime.datetime.combine(self.day, datetime.time.max))

    def narrow(self, queryset: QuerySet, organisation: str) -> QuerySet:
        """Keep the records of the scope's town and industry, through `organisation`."""
        if self.town:
            queryset = queryset.filter(**{f"{organisation}__town": self.town})
        if self.industry:
            queryset = queryset.filter(**{f"{organisation}__industry__startswith": self.industry})
        return queryset

    def key(self) -> str:
        return f"{self.year or ''}|{self.town}|{self.industry}|{self.day.isoformat()}"
