"""API of the events: the public events with their agenda, speakers and materials; and, for
signed-in users, registration, the check-in desk, certificates, the survey and the figures.
The same services and the same querysets as the pages decide what is allowed."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, File, Form, Router, Schema, UploadedFile
from ninja.pagination import paginate

from zhibiao.accounts.api_auth import optional_auth, required_auth
from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import is_district_admin
from zhibiao.bases.models import Batch, TrainingBase
from zhibiao.committee.models import CommitteeMember
from zhibiao.core.tabular import read_table
from zhibiao.core.uploads import UploadError
from zhibiao.directory.models import Organisation
from zhibiao.events import services
from zhibiao.events.models import (
    AgendaItem,
    Certificate,
    CheckInMethod,
    Event,
    NewsItem,
    Registration,
    Speaker,
)
from zhibiao.policies.models import PolicyDocument

router = Router(tags=["events"], auth=optional_auth)
news_router = Router(tags=["news"], auth=optional_auth)


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


class EventIn(Schema):
    kind: str
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str = ""
    description: str = ""
    is_public: bool = True
    capacity: int | None = None
    registration_opens_at: datetime.datetime | None = None
    registration_closes_at: datetime.datetime | None = None
    quota_per_enterprise: int | None = None
    audience: str = "open"
    audience_towns: list[str] = []
    audience_roles: list[str] = []
    audience_organisations: list[int] = []
    host_kind: str | None = None
    host_base: int | None = None
    host_chamber: int | None = None


class EventPatch(Schema):
    title: str | None = None
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    place: str | None = None
    description: str | None = None
    is_public: bool | None = None
    capacity: int | None = None
    registration_opens_at: datetime.datetime | None = None
    registration_closes_at: datetime.datetime | None = None
    quota_per_enterprise: int | None = None


class AttendeeIn(Schema):
    name: str
    phone: str
    is_self: bool = False


class RegisterIn(Schema):
    attendees: list[AttendeeIn]
    organisation: int | None = None


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
    check_in_method: str
    ticket_url: str = Field(alias="get_absolute_url")
    check_in_code: str | None
    certificate_number: str | None

    @staticmethod
    def resolve_check_in_code(obj) -> str | None:
        return services.check_in_code(obj) if obj.status == "confirmed" else None

    @staticmethod
    def resolve_certificate_number(obj) -> str | None:
        certificate = getattr(obj, "certificate", None)
        return certificate.number if certificate else None


class HostRegistrationOut(RegistrationOut):
    """What the event's host sees: the full mobile number, to reach the person."""

    phone: str


class SpeakerIn(Schema):
    member: int | None = None
    name: str = ""
    title: str = ""
    topic: str = ""


class RevokeIn(Schema):
    reason: str


class CancelIn(Schema):
    reason: str = ""


class CheckInIn(Schema):
    code: str
    method: str = CheckInMethod.TYPED


class FeedbackIn(Schema):
    satisfaction: int
    usefulness: int
    comment: str = ""


class FiguresOut(Schema):
    registered: int
    attendees: int
    no_shows: int
    responses: int
    satisfaction: float | None
    usefulness: float | None


class HostFiguresOut(FiguresOut):
    host_kind: str
    host_id: int | None
    name: str
    events: int


class ImportOut(Schema):
    checked_in: int
    already: int


class CertificateOut(Schema):
    number: str
    genuine: bool
    revoked_at: datetime.datetime | None
    name: str = Field(alias="registration.name")
    event_id: int = Field(alias="registration.event_id")
    event_title: str = Field(alias="registration.event.title")
    held_on: datetime.date
    issued_at: datetime.datetime

    @staticmethod
    def resolve_genuine(obj) -> bool:
        return obj.revoked_at is None

    @staticmethod
    def resolve_held_on(obj) -> datetime.date:
        return timezone.localtime(obj.registration.event.starts_at).date()


def _hosted(request: HttpRequest):
    """The events the user runs; a user of a role that hosts nothing is refused (403)."""

    if request.auth.role not in (Role.ADMIN, Role.BASE_MANAGER, Role.CHAMBER) and not (
        is_district_admin(request.auth)
    ):
        raise PermissionDenied
    return Event.objects.managed_by(request.auth)


def _events(request: HttpRequest):
    return (
        Event.objects.visible_to(request.auth)
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
def get_event(request: HttpRequest, event_id: int):

    agenda = AgendaItem.objects.select_related("batch").prefetch_related(
        "people", Prefetch("policy", queryset=PolicyDocument.objects.visible_to(request.auth))
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
    data = payload.dict(exclude_unset=partial)
    organisations = data.pop("audience_organisations", None)
    if organisations is not None:
        organisations = list(Organisation.objects.filter(pk__in=organisations))
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
    "/{int:event_id}", response=EventDetailOut, auth=required_auth, summary="Change an event"
)
def update_event(request: HttpRequest, event_id: int, payload: EventPatch):
    event = get_object_or_404(_hosted(request), pk=event_id)
    data, _organisations = _event_payload(payload, partial=True)
    return services.update_event(request.auth, event, data)


@router.post(
    "/{int:event_id}/registrations",
    response={201: list[RegistrationOut]},
    auth=required_auth,
    summary="Register people (seats first, then the waiting list; 409 when closed)",
)
def register(request: HttpRequest, event_id: int, payload: RegisterIn):
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
    auth=required_auth,
    summary="An event's registrations (its host only)",
)
@paginate
def event_registrations(request: HttpRequest, event_id: int, status: str | None = None):
    event = get_object_or_404(_hosted(request), pk=event_id)
    rows = event.registrations.select_related("event", "certificate").order_by("created_at")
    return rows.filter(status=status) if status else rows


@router.post(
    "/{int:event_id}/check-in",
    response=HostRegistrationOut,
    auth=required_auth,
    summary="Check in by code (422 for a bad code, 409 when already checked in)",
)
def check_in(request: HttpRequest, event_id: int, payload: CheckInIn):
    event = get_object_or_404(_hosted(request), pk=event_id)
    return services.check_in(request.auth, event, payload.code, method=payload.method)


@router.post(
    "/{int:event_id}/attendance",
    response=ImportOut,
    auth=required_auth,
    summary="Import a signed attendance sheet (all rows, or none: 422 lists each row's error)",
)
def import_attendance(request: HttpRequest, event_id: int, file: File[UploadedFile]):
    from django.core.exceptions import ValidationError

    event = get_object_or_404(_hosted(request), pk=event_id)
    try:
        table = read_table(file)
        result = services.import_attendance(request.auth, event, table.headers, table.rows)
    except UploadError as error:
        raise ValidationError({"file": [str(error)]}) from None
    except services.ImportFailed as failure:
        errors: dict[str, list[str]] = {}
        for error in failure.result.errors:
            errors.setdefault(f"row {error.row}: {error.column}", []).append(error.message)
        raise ValidationError(errors) from None
    return {"checked_in": result.checked_in, "already": result.already}


@router.post(
    "/{int:event_id}/speakers",
    response={201: SpeakerOut},
    auth=required_auth,
    summary="Add a speaker (a committee member's id, or a name)",
)
def add_speaker(request: HttpRequest, event_id: int, payload: SpeakerIn):

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
def add_material(request: HttpRequest, event_id: int, title: Form[str], file: File[UploadedFile]):
    event = get_object_or_404(_hosted(request), pk=event_id)
    return 201, services.add_material(request.auth, event, title, file)


@router.post("/{int:event_id}/survey", response=dict, auth=required_auth, summary="Send the survey")
def survey(request: HttpRequest, event_id: int):
    event = get_object_or_404(_hosted(request), pk=event_id)
    return {"notified": services.send_survey(request.auth, event)}


@router.get(
    "/{int:event_id}/figures",
    response=FiguresOut,
    auth=required_auth,
    summary="Attendance and satisfaction of an event (its host)",
)
def figures(request: HttpRequest, event_id: int):
    event = get_object_or_404(_hosted(request), pk=event_id)
    return services.event_figures([event]).get(event.pk, services.Satisfaction())


@router.get(
    "/figures/hosts",
    response=list[HostFiguresOut],
    auth=required_auth,
    summary="Attendance and satisfaction per host (district staff)",
)
def host_figures(request: HttpRequest, year: int | None = None):
    if not is_district_admin(request.auth):
        raise PermissionDenied
    return services.host_figures(year)


def _registrations(request: HttpRequest):
    return Registration.objects.visible_to(request.auth).select_related("event", "certificate")


@router.get(
    "/registrations",
    response=list[RegistrationOut],
    auth=required_auth,
    summary="Registrations you may see",
)
@paginate
def list_registrations(request: HttpRequest, event: int | None = None):
    rows = _registrations(request).order_by("-created_at", "-pk")
    return rows.filter(event_id=event) if event else rows


@router.get(
    "/registrations/{int:registration_id}",
    response=RegistrationOut,
    auth=required_auth,
    summary="One registration",
)
def get_registration(request: HttpRequest, registration_id: int):
    return get_object_or_404(_registrations(request), pk=registration_id)


@router.post(
    "/registrations/{int:registration_id}/cancel",
    response=RegistrationOut,
    auth=required_auth,
    summary="Cancel (the first person waiting gets the seat)",
)
def cancel(request: HttpRequest, registration_id: int, payload: CancelIn):
    registration = get_object_or_404(_registrations(request), pk=registration_id)
    return services.cancel(request.auth, registration, reason=payload.reason)


@router.post(
    "/registrations/{int:registration_id}/feedback",
    response={201: dict},
    auth=required_auth,
    summary="Answer the survey for an attendee",
)
def feedback(request: HttpRequest, registration_id: int, payload: FeedbackIn):
    # Only for an attendee one answers for: a host sees the registrations but does not answer.
    registration = get_object_or_404(Registration.objects.of(request.auth), pk=registration_id)
    answer = services.submit_feedback(request.auth, registration, **payload.dict())
    return 201, {"satisfaction": answer.satisfaction, "usefulness": answer.usefulness}


@router.post(
    "/certificates/{code}/revoke",
    response=CertificateOut,
    auth=required_auth,
    summary="Revoke a certificate issued in error (the event's host)",
)
def revoke(request: HttpRequest, code: str, payload: RevokeIn):
    certificate = get_object_or_404(
        Certificate.objects.select_related("registration__event").filter(
            registration__event__in=_hosted(request)
        ),
        code=code,
    )
    return services.revoke_certificate(request.auth, certificate, reason=payload.reason)


@router.get(
    "/certificates/{code}", response=CertificateOut, summary="Whether a certificate is genuine"
)
def verify(request: HttpRequest, code: str):
    return get_object_or_404(Certificate.objects.select_related("registration__event"), code=code)


class NewsOut(Schema):
    id: int
    title: str
    published_on: datetime.date
    source: str
    summary: str
    event_ids: list[int]
    policy_ids: list[int]
    batch_numbers: list[int]
    base_ids: list[int]

    @staticmethod
    def resolve_event_ids(obj) -> list[int]:
        return [e.pk for e in obj.events.all()]

    @staticmethod
    def resolve_policy_ids(obj) -> list[int]:
        return [p.pk for p in obj.policies.all()]

    @staticmethod
    def resolve_batch_numbers(obj) -> list[int]:
        return [b.number for b in obj.batches.all()]

    @staticmethod
    def resolve_base_ids(obj) -> list[int]:
        return [b.pk for b in obj.bases.all()]


class NewsDetailOut(NewsOut):
    body: str
    is_published: bool


class NewsIn(Schema):
    title: str
    published_on: datetime.date
    source: str = ""
    summary: str = ""
    body: str
    is_published: bool = True
    event_ids: list[int] = []
    policy_ids: list[int] = []
    batch_numbers: list[int] = []
    base_ids: list[int] = []


def _news_data(payload: NewsIn) -> dict:
    """The payload as the service takes it; an id that names nothing is a 422 on its field."""

    data = payload.dict(exclude={"event_ids", "policy_ids", "batch_numbers", "base_ids"})
    errors = {}
    for field, name, model, key in (
        ("event_ids", "events", Event, "pk"),
        ("policy_ids", "policies", PolicyDocument, "pk"),
        ("batch_numbers", "batches", Batch, "number"),
        ("base_ids", "bases", TrainingBase, "pk"),
    ):
        wanted = set(getattr(payload, field))
        found = list(model.objects.filter(**{f"{key}__in": wanted}))
        missing = wanted - {getattr(obj, key) for obj in found}
        if missing:
            errors[field] = [gettext("No such record: %(ids)s.") % {"ids": sorted(missing)}]
        data[name] = found
    if errors:
        raise ValidationError(errors)
    return data


def _news(request: HttpRequest):

    return NewsItem.objects.visible_to(request.auth).prefetch_related(
        Prefetch("events", queryset=Event.objects.visible_to(request.auth)),
        Prefetch("policies", queryset=PolicyDocument.objects.visible_to(request.auth)),
        "batches",
        "bases",
    )


@news_router.get("", response=list[NewsOut], summary="News")
@paginate
def list_news(request: HttpRequest):
    return _news(request)


@news_router.get("/{int:news_id}", response=NewsDetailOut, summary="One news item")
def get_news(request: HttpRequest, news_id: int):
    return get_object_or_404(_news(request), pk=news_id)


@news_router.post(
    "", response={201: NewsDetailOut}, auth=required_auth, summary="Write a news item (staff)"
)
def create_news(request: HttpRequest, payload: NewsIn):
    if not is_district_admin(request.auth):  # before the ids are looked up
        raise PermissionDenied
    item = services.save_news(request.auth, None, _news_data(payload))
    return 201, _news(request).get(pk=item.pk)


@news_router.put(
    "/{int:news_id}", response=NewsDetailOut, auth=required_auth, summary="Correct a news item"
)
def update_news(request: HttpRequest, news_id: int, payload: NewsIn):
    if not is_district_admin(request.auth):
        raise PermissionDenied
    item = get_object_or_404(NewsItem, pk=news_id)
    services.save_news(request.auth, item, _news_data(payload))
    return _news(request).get(pk=item.pk)
