"""API of the verification queue: list what waits, verify or reject one record."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema

from zhibiao.accounts.api_auth import required_auth
from zhibiao.core.apischema import Id, Payload, paginate
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
    """A record in the queue (`services.Entry`): what it is, whom it pays, what the verifier
    vouches for, and who recorded and decided it."""

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

    @staticmethod
    def resolve_kind(entry: Entry) -> str:
        return entry.kind.code

    @staticmethod
    def resolve_id(entry: Entry) -> int:
        return entry.record.pk

    @staticmethod
    def resolve_record(entry: Entry) -> str:
        return str(entry.record)

    @staticmethod
    def resolve_benefits(entry: Entry) -> list[str]:
        return entry.beneficiaries

    @staticmethod
    def resolve_verification(entry: Entry) -> str:
        return entry.record.verification

    @staticmethod
    def resolve_recorded_by(entry: Entry) -> str | None:
        return str(entry.record.recorded_by) if entry.record.recorded_by_id else None

    @staticmethod
    def resolve_recorded_at(entry: Entry) -> datetime.datetime:
        return entry.record.recorded_at

    @staticmethod
    def resolve_checked_by(entry: Entry) -> str | None:
        return str(entry.record.checked_by) if entry.record.checked_by_id else None

    @staticmethod
    def resolve_checked_at(entry: Entry) -> datetime.datetime | None:
        return entry.record.checked_at

    @staticmethod
    def resolve_note(entry: Entry) -> str:
        return entry.record.check_note


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


def _allowed(request: HttpRequest) -> None:
    if not services.may_verify_any(request.auth):
        raise PermissionDenied


@router.get("", response=list[VerificationOut], summary="Records awaiting verification")
@paginate
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
    return services.queue(request.auth, kind=filters.kind, state=filters.state)


@router.post("/{kind}/{int:record_id}/verify", response=VerificationOut, summary="Verify a record")
def verify(request: HttpRequest, kind: str, record_id: Id, payload: DecisionIn):
    """It counts from now on. 409 if already verified; 403 for someone who may not verify it."""
    _allowed(request)
    row = services.verify(
        request.auth, kind, record_id, note=payload.note, seen=payload.recorded_at
    )
    return Entry(services.kind_of(kind), row)


@router.post("/{kind}/{int:record_id}/reject", response=VerificationOut, summary="Reject a record")
def reject(request: HttpRequest, kind: str, record_id: Id, payload: DecisionIn):
    """It counts towards nothing; `note` (the reason) is required and sent to the enterprise."""
    _allowed(request)
    row = services.reject(
        request.auth, kind, record_id, note=payload.note, seen=payload.recorded_at
    )
    return Entry(services.kind_of(kind), row)
