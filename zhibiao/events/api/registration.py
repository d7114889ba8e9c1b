"""API of registration: registering people, an event's registrations (hosts), one's own
registrations, and cancelling.
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from zhibiao.accounts.api_auth import required_auth
from zhibiao.accounts.permissions import acts_for
from zhibiao.core.apischema import DbInt, Id, Payload, paginate
from zhibiao.directory.models import Organisation
from zhibiao.events import services
from zhibiao.events.api.events import _events, _hosted
from zhibiao.events.models import (
    Registration,
)

router = Router(auth=required_auth)


class AttendeeIn(Payload):
    name: str
    phone: str
    is_self: bool = False


class RegisterIn(Payload):
    attendees: list[AttendeeIn]
    organisation: DbInt | None = None


class RegistrationOut(Schema):
    id: int
    event_id: int
    event_title: str = Field(alias="event.title")
    organisation_id: int | None
    name: str
    phone: str = Field(alias="masked_phone")
    status: str
    status_name: str = Field(alias="get_status_display")
    created_at: datetime.datetime
    checked_in_at: datetime.datetime | None
    check_in_method: str = Field(
        description=(
            "How the person was checked in (empty if not): scan, typed (at the desk), sheet "
            "(the paper attendance sheet, imported by the host) or staff_sheet (imported by "
            "district staff, as recorded at the import; only this sheet counts towards a "
            "base's course subsidy)."
        )
    )
    check_in_method_name: str = Field(alias="get_check_in_method_display")
    ticket_url: str | None
    check_in_code: str | None
    certificate_number: str | None

    @staticmethod
    def resolve_ticket_url(obj, context) -> str | None:
        return obj.get_absolute_url() if _answers_for(obj, context) else None

    @staticmethod
    def resolve_check_in_code(obj, context) -> str | None:
        if obj.status != "confirmed" or not _answers_for(obj, context):
            return None
        return services.check_in_code(obj)

    @staticmethod
    def resolve_certificate_number(obj) -> str | None:
        certificate = getattr(obj, "certificate", None)
        return certificate.number if certificate else None


def _answers_for(registration: Registration, context) -> bool:
    """Whether the requester answers for the registration (made it, is it, or acts for its
    organisation: `Registration.objects.of`). Only they get its ticket address and check-in
    code: with them a host or an administrator could answer the survey in the attendee's place
    (the survey feeds the bases' yearly evaluation)."""
    user = context["request"].auth
    organisation_id = acts_for(user)
    return (
        registration.registered_by_id == user.pk
        or registration.user_id == user.pk
        or (organisation_id is not None and registration.organisation_id == organisation_id)
    )


class HostRegistrationOut(RegistrationOut):
    """What the event's host sees: the full mobile number, to reach the person (the ticket and
    its code only for the people the host registered itself)."""

    phone: str


class CancelIn(Payload):
    reason: str = ""


@router.post(
    "/{int:event_id}/registrations",
    response={201: list[RegistrationOut]},
    summary="Register people (seats first, then the waiting list; 409 when closed)",
)
def register(request: HttpRequest, event_id: Id, payload: RegisterIn):
    event = get_object_or_404(_events(request), pk=event_id)
    organisation = None
    if payload.organisation is not None:
        organisation = get_object_or_404(Organisation, pk=payload.organisation)
    created = services.register(
        request.auth,
        event,
        [a.dict() for a in payload.attendees],
        organisation=organisation,
    )
    return 201, created


@router.get(
    "/{int:event_id}/registrations",
    response=list[HostRegistrationOut],
    summary="An event's registrations (its host only)",
)
@paginate
def event_registrations(request: HttpRequest, event_id: Id, status: str | None = None):
    event = get_object_or_404(_hosted(request), pk=event_id)
    rows = event.registrations.select_related("event", "certificate").order_by("created_at")
    return rows.filter(status=status) if status else rows


def _registrations(request: HttpRequest):
    return Registration.objects.restrict(request.auth, "view").select_related(
        "event", "certificate"
    )


@router.get("/registrations", response=list[RegistrationOut], summary="Registrations you may see")
@paginate
def list_registrations(request: HttpRequest, event: DbInt | None = None):
    rows = _registrations(request).order_by("-created_at", "-pk")
    return rows.filter(event_id=event) if event else rows


@router.get(
    "/registrations/{int:registration_id}",
    response=RegistrationOut,
    summary="One registration",
)
def get_registration(request: HttpRequest, registration_id: Id):
    return get_object_or_404(_registrations(request), pk=registration_id)


@router.post(
    "/registrations/{int:registration_id}/cancel",
    response=RegistrationOut,
    summary="Cancel (the first person waiting gets the seat)",
)
def cancel(request: HttpRequest, registration_id: Id, payload: CancelIn):
    registration = get_object_or_404(_registrations(request), pk=registration_id)
    return services.cancel(request.auth, registration, reason=payload.reason)
