"""API of the verification queue: list what waits, verify or reject one record."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema

from zhibiao.accounts.api_auth import required_auth
from zhibiao.core.apischema import Id, Payload
from zhibiao.core.attestation import Verification
from zhibiao.verification import services
from zhibiao.verification.kinds import KINDS
from zhibiao.verification.services import Entry

router = Router(tags=["verification"], auth=required_auth)


class DetailOut(Schema):
    field: str
    label: str
    value: str


class VerificationOut(Schema):
    kind: str
    id: int
    record: str
    benefits: list[str]
    details: list[DetailOut] = Field(
        description="Every fact of the record a measure may pay on, as the verifier vouches "
        "for it: the field, its name in the user's language and its value as shown."
    )
    verification: str
    recorded_by: str | None
    recorded_at: datetime.datetime
    checked_by: str | None
    checked_at: datetime.datetime | None
    note: str


class QueueFilter(Schema):
    kind: str = ""
    state: str = Verification.PENDING


class DecisionIn(Payload):
    note: str = ""
    recorded_at: datetime.datetime | None = Field(
        None,
        description="The record's recorded_at as last read: if it was recorded again since, "
        "the decision is refused (409) rather than vouching for content not seen.",
    )


_STATES = {"choices": ", ".join(Verification.values)}


def _out(entry: Entry) -> dict:
    row = entry.record
    return {
        "kind": entry.kind.code,
        "id": row.pk,
        "record": str(row),
        "benefits": entry.beneficiaries,
        "details": entry.details,
        "verification": row.verification,
        "recorded_by": str(row.recorded_by) if row.recorded_by_id else None,
        "recorded_at": row.recorded_at,
        "checked_by": str(row.checked_by) if row.checked_by_id else None,
        "checked_at": row.checked_at,
        "note": row.check_note,
    }


def _allowed(request: HttpRequest) -> None:
    if not services.may_verify_any(request.auth):
        raise PermissionDenied


@router.get("", response=list[VerificationOut], summary="Records awaiting verification")
def list_queue(request: HttpRequest, filters: Query[QueueFilter]):
    """The records the user may verify (district staff: all; a department user: the adoptions
    of their department), in a verification state (`pending` by default; empty for all)."""
    _allowed(request)
    if filters.state and filters.state not in Verification.values:
        raise ValidationError({"state": gettext("Choose one of: %(choices)s.") % _STATES})
    if filters.kind and filters.kind not in KINDS:
        raise ValidationError(
            {"kind": gettext("Choose one of: %(choices)s.") % {"choices": ", ".join(KINDS)}}
        )
    entries = services.queue(request.auth, kind=filters.kind, state=filters.state)
    return [_out(entry) for entry in entries]


@router.post("/{kind}/{int:record_id}/verify", response=VerificationOut, summary="Verify a record")
def verify(request: HttpRequest, kind: str, record_id: Id, payload: DecisionIn):
    """It counts from now on. 409 if already verified; 403 for someone who may not verify it."""
    _allowed(request)
    row = services.verify(
        request.auth, kind, record_id, note=payload.note, seen=payload.recorded_at
    )
    return _out(Entry(services.kind_of(kind), row))


@router.post("/{kind}/{int:record_id}/reject", response=VerificationOut, summary="Reject a record")
def reject(request: HttpRequest, kind: str, record_id: Id, payload: DecisionIn):
    """It counts towards nothing; `note` (the reason) is required and sent to the enterprise."""
    _allowed(request)
    row = services.reject(
        request.auth, kind, record_id, note=payload.note, seen=payload.recorded_at
    )
    return _out(Entry(services.kind_of(kind), row))
