"""Rows that several people edit at once, saved under a revision counter.

An award's self-assessment item, an expert's score: each row is written from a page (or an API
client) that read it at some revision, or read no row at all. A save is a conditional update on
the revision the writer saw, so a save from a stale page (another tab, a colleague) is refused
instead of silently undoing what was saved since. "Saw no row" is a revision too: two people
writing a new item at once both saw none, and only the first may create it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from zhibiao.core.errors import ConcurrentChange

M = TypeVar("M", bound=models.Model)


def save_revised(
    model: type[M],
    key: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    seen: int | None,
    stale: str,
) -> M:
    """Create the row `key` names with `values`, or update it if the writer saw its current
    revision; returns the row as saved.

    `seen` is the revision the writer last read, None when it read no row (a new item). Refused
    with `ConcurrentChange(stale)`: a row exists that the writer did not see, or it saw another
    revision, or two writers created the row at once (the unique constraint lets one in)."""
    row = model._default_manager.filter(**key).first()
    if row is None:
        try:
            with transaction.atomic():
                return model._default_manager.create(**key, **values)
        except IntegrityError:
            raise ConcurrentChange(stale) from None
    changes = dict(values, revision=F("revision") + 1)
    if any(field.name == "updated_at" for field in model._meta.concrete_fields):
        changes["updated_at"] = timezone.now()  # auto_now: an update() does not set it
    if seen is None or not model._default_manager.filter(pk=row.pk, revision=seen).update(
        **changes
    ):
        raise ConcurrentChange(stale)
    row.refresh_from_db()
    return row


def held_as_seen(
    model: type[M],
    pk: Any,
    seen: Any,
    *,
    stale: str,
    field: str = "updated_at",
) -> M:
    """The row as it is now, locked until the transaction ends, for a writer whose page showed
    it when its `field` (when it was last saved) was `seen`: `ConcurrentChange(stale)` if it
    has been saved since, instead of the writer overwriting what it never saw. `seen` None: a
    caller that showed nothing (an API patch, a command) writes over the row as it is now.

    For rows edited whole from a page (an offering, an award entry's profile) that keep no
    revision counter; rows saved item by item keep one (`save_revised`)."""
    row = model._default_manager.select_for_update().get(pk=pk)
    if seen is not None and getattr(row, field) != seen:
        raise ConcurrentChange(stale)
    return row
