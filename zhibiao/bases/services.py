"""Business operations on training bases."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from zhibiao.accounts.permissions import ensure
from zhibiao.audit.services import record
from zhibiao.bases.models import Capability, TrainingBase

CAPABILITY_FIELDS = ["kind", "title", "description"]


def _ensure_manages(actor, base: TrainingBase) -> None:
    ensure(TrainingBase.objects.managed_by(actor).filter(pk=base.pk).exists())


@transaction.atomic
def add_capability(actor, base: TrainingBase, data: Mapping[str, Any]) -> Capability:
    """A base manager (or an administrator) lists something the base can teach or show."""
    _ensure_manages(actor, base)
    capability = Capability(base=base, **{name: data[name] for name in CAPABILITY_FIELDS})
    capability.full_clean()
    capability.save()
    record(actor, "capability.create", capability, base=base.pk)
    return capability


@transaction.atomic
def remove_capability(actor, capability: Capability) -> None:
    _ensure_manages(actor, capability.base)
    record(actor, "capability.delete", capability, base=capability.base_id)
    capability.delete()
