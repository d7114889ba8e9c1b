"""API of the events themselves: the list and one event with its agenda, speakers and
materials (public), and publishing and correcting events, speakers and materials (hosts).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema, UploadedFile

from zhibiao.accounts.api_auth import optional_auth, required_auth
from zhibiao.accounts.permissions import has_role, is_district_admin
from zhibiao.bases.models import TrainingBase
from zhibiao.committee.models import CommitteeMember
from zhibiao.core.apischema import DbInt, Id, Payload, paginate, patch_of
from zhibiao.core.records import named_records
from zhibiao.directory.models import Organisation
from zhibiao.events import services
from zhibiao.events.models import (
    AgendaItem,
    Event,
    Speaker,
)
from zhibiao.policies.models import PolicyDocument

#: The root of /events: the other seams' routers are mounted on it (`zhibiao.events.api`).
router = Router(tags=["events"], auth=optional_auth)


class OrganiserOut(Schema):
    id: int
    name: str


class AgendaPersonOut(Schema):
    name: str
    title: str


class AgendaItemOut(Schema):
    order: int
    kind: str
    kind_name: str = Field(alias="get_kind_display")
    title: str
    description: str
    people: list[AgendaPersonOut]
    committee_id: int | None
    policy_id: int | None

    @staticmethod
    def resolve_policy_id(obj) -> int | None:
        return obj.policy.pk if obj.policy else None  # None while the policy is a draft

    batch_number: int | None = Field(None, alias="batch.number")


class SpeakerOut(Schema):
    name: str = Field(alias="display_name")
    title: str = Field(alias="display_title")
    topic: str
    committee_member_id: int | None = Field(None, alias="member_id")


class MaterialOut(Schema):
    id: int
    title: str
    content_type: str
    size: int
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return reverse("events:material", args=[obj.pk])


class EventOut(Schema):
    id: int
    kind: str
    kind_name: str = Field(alias="get_kind_display")
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str
    organisers: list[OrganiserOut]
    host_kind: str
    host_name: str
    host_base_id: int | None
    host_chamber_id: int | None
    capacity: int | None
    seats_taken: int
    seats_left: int | None
    registration_opens_at: datetime.datetime | None
    registration_closes_at: datetime.datetime | None
    registration_open: bool
    quota_per_enterprise: int | None
    audience: str

    @staticmethod
    def resolve_registration_open(obj) -> bool:
        return obj.registration_is_open()


class CourseWarningOut(Schema):
    code: str
    message: str
    count: int
    details: list[str]


class EventDetailOut(EventOut):
    description: str
    agenda: list[AgendaItemOut]
    speakers: list[SpeakerOut]
    materials: list[MaterialOut]
    #: For district staff only (null for everyone else): whether the course counts towards the
    #: base's subsidy and what in its attendance looks made up (services.course_warnings).
    warnings: list[CourseWarningOut] | None = Field(
        None,
        description=(
            "District staff only (null for everyone else): whether the course counts towards "
            "the base's course subsidy and why not (codes not_counted, announced_late, "
            "not_open, few_enterprises, host_attendees), and what in its attendance looks made "
            "up (repeated_phone, late_registration, check_in_burst, sheet)."
        ),
    )

    @staticmethod
    def resolve_warnings(obj, context) -> list[CourseWarningOut] | None:
        if not is_district_admin(context["request"].auth):
            return None
        return services.course_warnings([obj]).get(obj.pk, [])


class EventIn(Payload):
    kind: str
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str = ""
    description: str = ""
    is_public: bool = True
    capacity: DbInt | None = None
    registration_opens_at: datetime.datetime | None = None
    registration_closes_at: datetime.datetime | None = None
    quota_per_enterprise: DbInt | None = None
    audience: str = "open"
    audience_towns: list[str] = []
    audience_roles: list[str] = []
    audience_organisations: list[DbInt] = []
    host_kind: str | None = None
    host_base: DbInt | None = None
    host_chamber: DbInt | None = None


EventPatch = patch_of(
    EventIn,
    "EventPatch",
    "What the event page changes, by the same service and with the same checks: the host "
    "(district staff only) and the audience among the rest.",
)


class SpeakerIn(Payload):
    member: DbInt | None = None
    name: str = ""
    title: str = ""
    topic: str = ""


def _hosted(request: HttpRequest):
    """The events the user runs; a user of a role that hosts nothing is refused (403), as the
    pages refuse them (`role_required(*HOST_ROLES)`)."""
    if not has_role(request.auth, *services.HOST_ROLES):
        raise PermissionDenied
    return Event.objects.restrict(request.auth, "manage")


def _events(request: HttpRequest):
    return (
        Event.objects.restrict(request.auth, "view")
        .select_related("host_base__organisation", "host_chamber")
        .prefetch_related("organisers")
    )


@router.get("", response=list[EventOut], summary="Events")
@paginate
def list_events(request: HttpRequest, kind: str | None = None, upcoming: bool = False):
    events = _events(request)
    if kind:
        events = events.filter(kind=kind)
    if upcoming:
        events = events.filter(ends_at__gte=timezone.now()).order_by("starts_at")
    return events


@router.get("/{int:event_id}", response=EventDetailOut, summary="One event with its agenda")
def get_event(request: HttpRequest, event_id: Id):

    agenda = AgendaItem.objects.select_related("batch").prefetch_related(
        "people", Prefetch("policy", queryset=PolicyDocument.objects.restrict(request.auth, "view"))
    )
    return get_object_or_404(
        _events(request).prefetch_related(
            Prefetch("agenda", queryset=agenda),
            Prefetch("speakers", queryset=Speaker.objects.select_related("member__person")),
            "materials",
        ),
        pk=event_id,
    )


def _event_payload(payload, *, partial: bool) -> tuple[dict, list | None]:
    data = payload.dict(exclude_unset=partial)  # times are aware (Payload: local if naive)
    organisations = data.pop("audience_organisations", None)
    if organisations is not None:  # an unknown id is a 422, as the page's unknown credit code
        found = named_records({"audience_organisations": (Organisation, organisations)})
        organisations = found["audience_organisations"]
    for name in ("host_kind", "host_base", "host_chamber"):
        if name in data and data[name] is None:
            data.pop(name)
    if "host_base" in data:
        data["host_base"] = get_object_or_404(TrainingBase.objects.listed(), pk=data["host_base"])
    if "host_chamber" in data:
        data["host_chamber"] = get_object_or_404(Organisation, pk=data["host_chamber"])
    return data, organisations


@router.post("", response={201: EventDetailOut}, auth=required_auth, summary="Publish an event")
def create_event(request: HttpRequest, payload: EventIn):
    data, organisations = _event_payload(payload, partial=False)
    event = services.create_event(request.auth, data, audience_organisations=organisations or [])
    return 201, event


@router.patch(
    "/{int:event_id}",
    response=EventDetailOut,
    auth=required_auth,
    summary="Change an event",
)
def update_event(request: HttpRequest, event_id: Id, payload: EventPatch):
    event = get_object_or_404(_hosted(request), pk=event_id)
    data, organisations = _event_payload(payload, partial=True)
    return services.update_event(request.auth, event, data, audience_organisations=organisations)


@router.post(
    "/{int:event_id}/speakers",
    response={201: SpeakerOut},
    auth=required_auth,
    summary="Add a speaker (a committee member's id, or a name)",
)
def add_speaker(request: HttpRequest, event_id: Id, payload: SpeakerIn):

    event = get_object_or_404(_hosted(request), pk=event_id)
    data = payload.dict()
    if data["member"] is not None:
        data["member"] = get_object_or_404(CommitteeMember, pk=data["member"])
    return 201, services.add_speaker(request.auth, event, data)


@router.post(
    "/{int:event_id}/materials",
    response={201: MaterialOut},
    auth=required_auth,
    summary="Attach a material (PDF, Word, Excel, JPEG or PNG)",
)
def add_material(request: HttpRequest, event_id: Id, title: Form[str], file: File[UploadedFile]):
    event = get_object_or_404(_hosted(request), pk=event_id)
    return 201, services.add_material(request.auth, event, title, file)
