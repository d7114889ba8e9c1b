"""The demo's loader: every object looked up by a natural key and created or brought up to
date (validated either way), counting what it created and updated, so that a second load
changes nothing and says so. The other apps' demo parts (`standards.demo`, `dashboard.demo`)
receive it too.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import models
from django.utils import timezone

_SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))


class Loader:
    def __init__(self) -> None:
        self.report = LoadReport()

    def upsert(
        self,
        model: type[models.Model],
        lookup: dict[str, Any],
        values: dict[str, Any] | None = None,
        m2m: dict[str, list[models.Model]] | None = None,
    ) -> models.Model:
        """Create, or update the fields that differ; validate either way."""
        values = values or {}
        label = model._meta.verbose_name_plural
        obj = model.objects.filter(**lookup).first()
        created = obj is None
        if created:
            obj = model(**lookup, **values)
            obj.full_clean()
            obj.save()
            self.report.created[str(label)] += 1
        else:
            changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
            if changed:
                for key, value in changed.items():
                    setattr(obj, key, value)
                obj.full_clean()
                obj.save()
                self.report.updated[str(label)] += 1
        for name, targets in (m2m or {}).items():
            manager = getattr(obj, name)
            if {t.pk for t in manager.all()} != {t.pk for t in targets}:
                manager.set(targets)
                if not created:
                    self.report.updated[str(label)] += 1
        return obj


def aware(value: datetime.datetime) -> datetime.datetime:
    """A story time (Shanghai wall-clock) as an aware datetime."""
    return timezone.make_aware(value, _SHANGHAI)
