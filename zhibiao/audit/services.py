"""The one helper every business operation calls to leave its trace."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from zhibiao.audit.models import AuditEntry
from zhibiao.core import generations


def record(
    actor,
    action: str,
    target: models.Model | None = None,
    *,
    reason: str = "",
    **data: Any,
) -> AuditEntry:
    """Write one audit entry. Call it inside the operation's transaction, so both land or neither.

    `actor` is the acting user, or None for the system (a management command without a user).
    `action` is a dotted name such as "organisation.create"; `data` holds the changes.

    Once the transaction commits, the records' generation changes (zhibiao.core.generations):
    figures computed from the records before are outdated on every app server. After the
    commit, not before, so that no server recomputes them from rows it cannot see yet.
    """
    transaction.on_commit(generations.bump, robust=True)
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_name=user.get_username() if user else "system",
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        reason=reason,
        data=data,
    )


def changes(instance: models.Model, before: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """The fields whose values differ from `before`, as {field: [old, new]}; a related record
    (a foreign key read by its name) as its id, for the entry is JSON: an Organisation there
    failed the whole save with a TypeError."""
    out = {}
    for field in fields:
        old, new = before.get(field), getattr(instance, field)
        if old != new:
            out[field] = [_plain(old), _plain(new)]
    return out


def _plain(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value
