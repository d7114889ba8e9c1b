"""The public list and page of an event, and the hosts' pages: creating and correcting an
event, managing it, its speakers and materials.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, F, Prefetch, Q, Value, When
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from zhibiao.accounts.permissions import is_district_admin, role_required
from zhibiao.core.exports import Column, export_list, wants_xlsx
from zhibiao.core.forms import error_message, service_errors_on
from zhibiao.core.pagination import paginate, query_without_page
from zhibiao.core.permissions import can
from zhibiao.core.uploads import download
from zhibiao.directory.forms import PlaceFilterForm
from zhibiao.events import services
from zhibiao.events.forms import (
    MaterialForm,
    SpeakerForm,
    event_form,
    initial_for,
)
from zhibiao.events.models import (
    TRAINING_KINDS,
    AgendaItem,
    Event,
    EventKind,
    Material,
    Registration,
    RegistrationStatus,
    Speaker,
)
from zhibiao.events.services import HOST_ROLES
from zhibiao.policies.models import PolicyDocument


def _events(user):
    return Event.objects.restrict(user, "view").prefetch_related("organisers")


def event_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    places = PlaceFilterForm(request.GET)
    events = _events(request.user).select_related("host_base__organisation", "host_chamber")
    events = places.narrow(events, "host_base__organisation", "starts_at")
    kind = request.GET.get("kind", "")
    if kind in EventKind.values:
        events = events.filter(kind=kind)
    elif kind == "training":
        events = events.filter(kind__in=TRAINING_KINDS)
    else:
        kind = ""
    at_bases = request.GET.get("host") == "base"
    if at_bases:
        events = events.filter(host_base__isnull=False)
    when = request.GET.get("when", "")
    if when == "coming":
        events = events.filter(ends_at__gte=now)
    elif when == "past":  # what the dashboard's 举办的活动 counts
        events = events.filter(ends_at__lt=now)
    else:
        when = ""
    if wants_xlsx(request):
        return _export_events(events)
    context = {
        "page": paginate(request, _upcoming_then_past(events, now)),
        "query": query_without_page(request),
        "kinds": EventKind.choices,
        "kind": kind,
        "at_bases": at_bases,
        "when": when,
        "places": places,
        "may_host": request.user.is_authenticated and services.may_host(request.user),
        "now": now,
    }
    return render(request, "events/event_list.html", context)


def _upcoming_then_past(events, now):
    """One list to paginate, so that its count is the number of events listed: the coming ones
    first, soonest first, then the past ones, latest first (`is_past` heads each section)."""
    past = Q(ends_at__lt=now)
    return events.annotate(
        is_past=Case(When(past, then=Value(True)), default=Value(False)),
        coming_start=Case(When(~past, then=F("starts_at"))),
        past_start=Case(When(past, then=F("starts_at"))),
    ).order_by("is_past", F("coming_start").asc(nulls_last=True), F("past_start").desc(), "pk")


EVENT_COLUMNS = [
    Column(_("Event"), lambda e: e.title),
    Column(_("Kind"), lambda e: e.get_kind_display()),
    Column(_("Starts"), lambda e: e.starts_at),
    Column(_("Ends"), lambda e: e.ends_at),
    Column(_("Place"), lambda e: e.place),
    Column(_("Training base"), lambda e: str(e.host_base.organisation) if e.host_base_id else ""),
    Column(_("Seats"), lambda e: e.capacity),
    Column(_("Seats taken"), lambda e: e.seats_taken),
    Column(_("Attended"), lambda e: e.attended),
]


def _export_events(events):
    attended = Count("registrations", filter=Q(registrations__status=RegistrationStatus.ATTENDED))
    rows = events.annotate(attended=attended).order_by("starts_at", "pk")
    return export_list("events.xlsx", EVENT_COLUMNS, rows, title=gettext("Events"))


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # A policy the agenda releases shows only once the user may see it (drafts stay hidden).
    agenda = AgendaItem.objects.select_related("committee", "batch").prefetch_related(
        Prefetch("policy", queryset=PolicyDocument.objects.restrict(request.user, "view")),
        "people__organisation",
        "batch__bases__organisation",
    )
    event = get_object_or_404(
        _events(request.user)
        .select_related("host_base__organisation", "host_chamber")
        .prefetch_related(
            Prefetch("agenda", queryset=agenda),
            Prefetch("speakers", queryset=Speaker.objects.select_related("member__person")),
            "materials",
        ),
        pk=pk,
    )
    user = request.user
    manages = user.is_authenticated and can(user, "manage", Event(pk=pk))
    open_now = event.registration_is_open()
    context = {
        "event": event,
        # Read through the reverse relation: news sits above events and reports on them.
        "news": event.news.restrict(user, "view"),
        "manages": manages,
        "open_now": open_now,
        "admitted": open_now and user.is_authenticated and event.admits(user),
        "waiting": event.registrations.filter(status=RegistrationStatus.WAITLISTED).count()
        if event.takes_registration
        else 0,
        "mine": Registration.objects.restrict(user, "view")
        .filter(event=event, registered_by=user)
        .exclude(status=RegistrationStatus.CANCELLED)
        if user.is_authenticated
        else [],
    }
    return render(request, "events/event_detail.html", context)


def _event_data(form) -> tuple[dict, list]:
    data = dict(form.cleaned_data)
    organisations = data.pop("audience_usccs", [])
    return data, organisations


@role_required(*HOST_ROLES)
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    if not services.may_host(request.user):
        raise PermissionDenied
    form = event_form(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data, organisations = _event_data(form)
        with service_errors_on(form):
            event = services.create_event(request.user, data, audience_organisations=organisations)
            messages.success(request, gettext("The event was published."))
            return redirect(event)
    return render(request, "events/event_form.html", {"form": form})


@role_required(*HOST_ROLES)
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.restrict(request.user, "manage"), pk=pk)
    initial = initial_for(event)
    form = event_form(request.user, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data, organisations = _event_data(form)
        changed = {k: v for k, v in data.items() if k in form.changed_data}
        with service_errors_on(form):
            services.update_event(
                request.user,
                event,
                changed,
                audience_organisations=organisations
                if "audience_usccs" in form.changed_data
                else None,
            )
            messages.success(request, gettext("Your changes were saved."))
            return redirect(event)
    return render(request, "events/event_form.html", {"form": form, "event": event})


@role_required(*HOST_ROLES)
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    """The host's page: who registered, who came, the figures, and the desk's tools."""
    event = get_object_or_404(
        Event.objects.restrict(request.user, "manage").select_related(
            "host_base__organisation", "host_chamber"
        ),
        pk=pk,
    )
    registrations = event.registrations.select_related(
        "organisation", "certificate", "feedback", "registered_by"
    ).order_by("status", "created_at")
    status = request.GET.get("status", "")
    if status in RegistrationStatus.values:
        registrations = registrations.filter(status=status)
    figures = services.event_figures([event]).get(event.pk, services.Satisfaction())
    now = timezone.now()
    context = {
        "event": event,
        "registrations": registrations,
        "statuses": RegistrationStatus.choices,
        "status": status,
        "figures": figures,
        "waiting": event.registrations.filter(status=RegistrationStatus.WAITLISTED).count(),
        "over": now >= event.ends_at,
        "speaker_form": SpeakerForm(),
        "material_form": MaterialForm(),
        # Whether the course counts towards the base's subsidy, and what looks made up: for
        # district staff, who pay; not for the host, who would learn what to avoid.
        "warnings": (
            services.course_warnings([event]).get(event.pk, [])
            if is_district_admin(request.user)
            else None
        ),
    }
    return render(request, "events/manage.html", context)


def _change_programme(
    request: HttpRequest, pk: int, change: Callable[[Event], object], done: str, form=None
) -> HttpResponse:
    """Add or remove a speaker or a material of an event the user manages, then back to its
    manage page saying so, or why not (the form's errors or the service's refusal)."""
    event = get_object_or_404(Event.objects.restrict(request.user, "manage"), pk=pk)
    try:
        if form is not None and not form.is_valid():
            raise ValidationError(form.errors)
        change(event)
    except ValidationError as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, done)
    return redirect("events:manage", pk=pk)


@role_required(*HOST_ROLES)
@require_POST
def speaker_add(request: HttpRequest, pk: int) -> HttpResponse:
    form = SpeakerForm(request.POST)
    return _change_programme(
        request,
        pk,
        lambda event: services.add_speaker(request.user, event, form.cleaned_data),
        gettext("The speaker was added."),
        form,
    )


@role_required(*HOST_ROLES)
@require_POST
def speaker_remove(request: HttpRequest, pk: int, speaker_pk: int) -> HttpResponse:
    return _change_programme(
        request,
        pk,
        lambda event: services.remove_speaker(
            request.user, get_object_or_404(event.speakers, pk=speaker_pk)
        ),
        gettext("The speaker was removed."),
    )


@role_required(*HOST_ROLES)
@require_POST
def material_add(request: HttpRequest, pk: int) -> HttpResponse:
    form = MaterialForm(request.POST, request.FILES)
    return _change_programme(
        request,
        pk,
        lambda event: services.add_material(
            request.user, event, form.cleaned_data["title"], form.cleaned_data["file"]
        ),
        gettext("The material was added."),
        form,
    )


@role_required(*HOST_ROLES)
@require_POST
def material_remove(request: HttpRequest, pk: int, material_pk: int) -> HttpResponse:
    return _change_programme(
        request,
        pk,
        lambda event: services.remove_material(
            request.user, get_object_or_404(event.materials, pk=material_pk)
        ),
        gettext("The material was removed."),
    )


def material_file(request: HttpRequest, pk: int) -> FileResponse:
    """Materials are served only through here, to those who may see the event."""
    material = get_object_or_404(
        Material.objects.filter(event__in=Event.objects.restrict(request.user, "view")), pk=pk
    )
    return download(material.file, material.original_name)
