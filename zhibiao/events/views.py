"""Pages of the events: the public pages, registration, tickets, the check-in desk, the hosts'
management, certificates, the survey, calendars and news.

Every page fetches through a queryset's `visible_to` or `managed_by` (another's object is a
404) and changes things only through the services.
"""

from __future__ import annotations

import datetime
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import acting_organisation, is_district_admin, role_required
from zhibiao.core.exports import Column, export_list, wants_xlsx
from zhibiao.core.forms import add_service_errors, error_message, form_error_message
from zhibiao.core.pagination import paginate, query_without_page
from zhibiao.core.tabular import read_table
from zhibiao.core.uploads import UploadError
from zhibiao.core.years import parse_year
from zhibiao.directory.forms import PlaceFilterForm
from zhibiao.events import calendar, certificates, services
from zhibiao.events.errors import Refused
from zhibiao.events.forms import (
    AttendeeFormSet,
    CancelForm,
    CheckInForm,
    FeedbackForm,
    MaterialForm,
    NewsForm,
    SheetForm,
    SpeakerForm,
    event_form,
    initial_for,
)
from zhibiao.events.models import (
    TRAINING_KINDS,
    AgendaItem,
    CalendarFeed,
    Certificate,
    CheckInMethod,
    Event,
    EventKind,
    Material,
    NewsItem,
    Registration,
    RegistrationStatus,
    Speaker,
)
from zhibiao.events.services import NEWS_FIELDS, NEWS_LINKS

#: Roles that host events: district staff, base managers (at their base), chamber users.
HOST_ROLES = (Role.ADMIN, Role.BASE_MANAGER, Role.CHAMBER)


def _events(user):
    return Event.objects.visible_to(user).prefetch_related("organisers")


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
    if wants_xlsx(request):
        return _export_events(events)
    context = {
        "upcoming": events.filter(ends_at__gte=now).order_by("starts_at"),
        "page": paginate(request, events.filter(ends_at__lt=now)),
        "query": query_without_page(request),
        "kinds": EventKind.choices,
        "kind": kind,
        "at_bases": at_bases,
        "places": places,
        "may_host": request.user.is_authenticated and services.may_host(request.user),
        "now": now,
    }
    return render(request, "events/event_list.html", context)


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
        Prefetch("policy", queryset=_policies(request.user)),
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
            Prefetch("news", queryset=NewsItem.objects.visible_to(request.user)),
        ),
        pk=pk,
    )
    user = request.user
    manages = user.is_authenticated and Event.objects.managed_by(user).filter(pk=pk).exists()
    open_now = event.registration_is_open()
    context = {
        "event": event,
        "manages": manages,
        "open_now": open_now,
        "admitted": open_now and user.is_authenticated and event.admits(user),
        "waiting": event.registrations.filter(status=RegistrationStatus.WAITLISTED).count()
        if event.takes_registration
        else 0,
        "mine": Registration.objects.visible_to(user)
        .filter(event=event, registered_by=user)
        .exclude(status=RegistrationStatus.CANCELLED)
        if user.is_authenticated
        else [],
    }
    return render(request, "events/event_detail.html", context)


# --- Hosting -----------------------------------------------------------------------------------


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
        try:
            event = services.create_event(request.user, data, audience_organisations=organisations)
        except ValidationError as error:
            add_service_errors(form, error)
        except Refused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("The event was published."))
            return redirect(event)
    return render(request, "events/event_form.html", {"form": form})


@role_required(*HOST_ROLES)
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.managed_by(request.user), pk=pk)
    initial = initial_for(event)
    form = event_form(request.user, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data, organisations = _event_data(form)
        changed = {k: v for k, v in data.items() if k in form.changed_data}
        try:
            services.update_event(
                request.user,
                event,
                changed,
                audience_organisations=organisations
                if "audience_usccs" in form.changed_data
                else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("Your changes were saved."))
            return redirect(event)
    return render(request, "events/event_form.html", {"form": form, "event": event})


@role_required(*HOST_ROLES)
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    """The host's page: who registered, who came, the figures, and the desk's tools."""
    event = get_object_or_404(
        Event.objects.managed_by(request.user).select_related(
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


@role_required(*HOST_ROLES)
def attendance_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The registered people as an xlsx to print for signatures and type back afterwards."""
    from openpyxl import Workbook

    event = get_object_or_404(Event.objects.managed_by(request.user), pk=pk)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = gettext("Attendance")[:31]
    sheet.append(["序号", "姓名", "手机号", "单位", "签到"])
    seated = event.registrations.filter(status__in=services.SEATED).select_related("organisation")
    for number, registration in enumerate(seated.order_by("organisation__name", "name"), 1):
        organisation = registration.organisation.name if registration.organisation_id else ""
        sheet.append([number, registration.name, registration.phone, organisation, ""])
    for column, width in zip("ABCDE", (6, 14, 16, 36, 12), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"attendance-{event.pk}.xlsx")


@role_required(*HOST_ROLES)
@require_POST
def speaker_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.managed_by(request.user), pk=pk)
    form = SpeakerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        services.add_speaker(request.user, event, form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, gettext("The speaker was added."))
    return redirect("events:manage", pk=pk)


@role_required(*HOST_ROLES)
@require_POST
def speaker_remove(request: HttpRequest, pk: int, speaker_pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.managed_by(request.user), pk=pk)
    services.remove_speaker(request.user, get_object_or_404(event.speakers, pk=speaker_pk))
    messages.success(request, gettext("The speaker was removed."))
    return redirect("events:manage", pk=pk)


@role_required(*HOST_ROLES)
@require_POST
def material_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.managed_by(request.user), pk=pk)
    form = MaterialForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        services.add_material(
            request.user, event, form.cleaned_data["title"], form.cleaned_data["file"]
        )
    except ValidationError as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, gettext("The material was added."))
    return redirect("events:manage", pk=pk)


@role_required(*HOST_ROLES)
@require_POST
def material_remove(request: HttpRequest, pk: int, material_pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.managed_by(request.user), pk=pk)
    services.remove_material(request.user, get_object_or_404(event.materials, pk=material_pk))
    messages.success(request, gettext("The material was removed."))
    return redirect("events:manage", pk=pk)


def material_file(request: HttpRequest, pk: int) -> FileResponse:
    """Materials are served only through here, to those who may see the event."""
    material = get_object_or_404(
        Material.objects.filter(event__in=Event.objects.visible_to(request.user)), pk=pk
    )
    return FileResponse(
        material.file.open("rb"), as_attachment=True, filename=material.original_name
    )


@role_required(*HOST_ROLES)
@require_POST
def revoke(request: HttpRequest, pk: int, certificate_pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.managed_by(request.user), pk=pk)
    certificate = get_object_or_404(
        Certificate.objects.filter(registration__event=event), pk=certificate_pk
    )
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.revoke_certificate(request.user, certificate, reason=reason)
    except (Refused, ValidationError) as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, gettext("The certificate was revoked."))
    return redirect("events:manage", pk=pk)


@role_required(*HOST_ROLES)
@require_POST
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.managed_by(request.user), pk=pk)
    try:
        sent = services.send_survey(request.user, event)
    except Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, gettext("The survey went to %(count)s people.") % {"count": sent})
    return redirect("events:manage", pk=pk)


# --- Registration ------------------------------------------------------------------------------


def _formset_errors(formset, indexes: list[int], error: ValidationError) -> None:
    """Put `attendees.<n>.<field>` errors on the formset's rows, the rest above it."""
    for key, texts in error.message_dict.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "attendees" and parts[1].isdigit():
            form = formset.forms[indexes[int(parts[1])]]
            for text in texts:
                form.add_error(parts[2] if parts[2] in form.fields else None, text)
        else:
            formset._non_form_errors = formset.non_form_errors() + texts


@role_required()
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(_events(request.user), pk=pk)
    organisation = acting_organisation(request.user)  # as services.register decides
    initial = [{"name": request.user.get_full_name()}] if organisation is None else []
    formset = AttendeeFormSet(request.POST or None, initial=initial, prefix="attendees")
    refusal = None
    try:
        services.check_open(event, request.user, organisation)
    except (Refused, PermissionDenied) as error:
        refusal = str(error) or gettext("You are not allowed to do this.")
    if request.method == "POST" and refusal is None and formset.is_valid():
        rows, indexes = [], []
        for index, form in enumerate(formset.forms):
            data = form.cleaned_data
            if data.get("name") or data.get("phone"):
                rows.append(data)
                indexes.append(index)
        try:
            created = services.register(request.user, event, rows)
        except ValidationError as error:
            _formset_errors(formset, indexes, error)
        except Refused as error:
            refusal = str(error)
        else:
            waiting = sum(1 for r in created if r.status == RegistrationStatus.WAITLISTED)
            messages.success(
                request,
                gettext("Registered: %(seated)s with a seat, %(waiting)s on the waiting list.")
                % {"seated": len(created) - waiting, "waiting": waiting},
            )
            return redirect(reverse("events:registrations") + f"?event={event.pk}")
    return render(
        request,
        "events/register.html",
        {"event": event, "formset": formset, "refusal": refusal},
    )


@role_required()
def registrations(request: HttpRequest) -> HttpResponse:
    """My registrations: those I made, of me, or of my organisation."""
    rows = (
        Registration.objects.of(request.user)
        .select_related("event", "certificate", "feedback")
        .order_by("-event__starts_at", "created_at")
    )
    event_id = request.GET.get("event", "")
    if event_id.isdecimal() and event_id.isascii():
        rows = rows.filter(event_id=int(event_id))
    return render(
        request,
        "events/registrations.html",
        {
            "page": paginate(request, rows),
            "query": query_without_page(request),
            "now": timezone.now(),
            "cancel_form": CancelForm(),
        },
    )


@role_required()
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(Registration.objects.visible_to(request.user), pk=pk)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.cancel(request.user, registration, reason=reason)
    except Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            gettext("The registration of %(name)s was cancelled.") % {"name": registration.name},
        )
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("events:registrations")


# --- The ticket, the certificate, the survey ---------------------------------------------------


def _ticket(token: str) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related(
            "event__host_base__organisation", "event__host_chamber", "organisation"
        ),
        token=token,
    )


def _check_in_url(request: HttpRequest, registration: Registration) -> str:
    path = reverse("events:check_in", args=[registration.event_id])
    code = services.check_in_code(registration)
    return request.build_absolute_uri(f"{path}?code={code}")


def ticket(request: HttpRequest, token: str) -> HttpResponse:
    """The attendee's phone page (and printable ticket): the QR code and the typed code while
    a seat is held; afterwards the certificate and the survey. The address is the credential."""
    import segno

    registration = _ticket(token)
    context: dict = {"registration": registration, "event": registration.event}
    if registration.status == RegistrationStatus.CONFIRMED:
        context["code"] = services.check_in_code(registration)
        qr = segno.make(_check_in_url(request, registration), error="m")
        context["qr_svg"] = qr.svg_inline(scale=5, dark="#1f2328", omitsize=True)
    context["certificate"] = getattr(registration, "certificate", None)
    context["feedback_open"] = services.feedback_open(registration)
    return render(request, "events/ticket.html", context)


def certificate_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The certificate of attendance: for attendees only, whose ticket address this is."""
    registration = _ticket(token)
    certificate = Certificate.objects.filter(registration=registration).first()
    if certificate is None:
        raise Http404
    verify_url = request.build_absolute_uri(certificate.get_absolute_url())
    pdf = certificates.render(certificate, verify_url)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.number}.pdf"'
    return response


def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Whether a certificate is genuine, for anyone who scans or types its address."""
    certificate = (
        Certificate.objects.select_related(
            "registration__event__host_base__organisation",
            "registration__event__host_chamber",
            "registration__organisation",
        )
        .filter(code=code)
        .first()
    )
    status = 200 if certificate else 404
    return render(request, "events/verify.html", {"certificate": certificate}, status=status)


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, token: str) -> HttpResponse:
    registration = _ticket(token)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_feedback(request.user, registration, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except Refused as error:
            messages.error(request, str(error))
            return redirect(registration)
        else:
            messages.success(request, gettext("Thank you for your answers."))
            return redirect(registration)
    if not services.feedback_open(registration) and request.method == "GET":
        if registration.status != RegistrationStatus.ATTENDED:
            messages.error(request, gettext("Only people who attended answer the survey."))
        return redirect(registration)
    return render(request, "events/feedback.html", {"registration": registration, "form": form})


# --- The check-in desk -------------------------------------------------------------------------


@role_required(*HOST_ROLES)
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """Type a code or scan one (the camera, where the browser allows): who it is shows at once.

    A scanned address (?code=…) shows the person and asks for one tap; a POST checks in.
    With htmx, only the result is swapped in, so the camera keeps running.
    """
    event = get_object_or_404(Event.objects.managed_by(request.user), pk=pk)
    result: dict = {}
    form = CheckInForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            method = form.cleaned_data["method"] or CheckInMethod.TYPED
            try:
                registration = services.check_in(
                    request.user, event, form.cleaned_data["code"], method=method
                )
            except ValidationError as error:
                result = {"error": error_message(error)}
            except Refused as error:
                result = {"error": str(error), "registration": _named(event, form)}
            else:
                result = {"done": True, "registration": registration}
            form = CheckInForm()
        else:
            result = {"error": form_error_message(form)}
    elif request.GET.get("code"):
        try:
            registration = services.look_up(request.user, event, request.GET["code"])
        except ValidationError as error:
            result = {"error": error_message(error)}
        else:
            result = {"confirm": True, "registration": registration}
            form = CheckInForm(initial={"code": request.GET["code"], "method": CheckInMethod.SCAN})
    counts = {
        "seated": event.registrations.filter(status__in=services.SEATED).count(),
        "attended": event.registrations.filter(status=RegistrationStatus.ATTENDED).count(),
    }
    context = {"event": event, "form": form, "result": result, "counts": counts}
    if request.headers.get("HX-Request"):
        return render(request, "events/_check_in_result.html", context)
    return render(request, "events/check_in.html", context)


def _named(event: Event, form) -> Registration | None:
    """The person a refused code names (already checked in, waiting), to show at the desk."""
    try:
        return services._find_by_code(event, form.cleaned_data["code"])
    except ValidationError:
        return None


@role_required(*HOST_ROLES)
@require_http_methods(["GET", "POST"])
def attendance_import(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.managed_by(request.user), pk=pk)
    form = SheetForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            table = read_table(form.cleaned_data["file"])
            result = services.import_attendance(request.user, event, table.headers, table.rows)
        except UploadError as error:
            form.add_error("file", str(error))
        except services.ImportFailed as failure:
            result = failure.result
        except Refused as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                gettext("Checked in from the sheet: %(new)s; already checked in: %(already)s.")
                % {"new": result.checked_in, "already": result.already},
            )
            return redirect("events:manage", pk=pk)
    return render(
        request, "events/attendance_import.html", {"event": event, "form": form, "result": result}
    )


# --- Figures -----------------------------------------------------------------------------------


@role_required(Role.ADMIN)
def satisfaction(request: HttpRequest) -> HttpResponse:
    """Attendance and survey figures per event and per host (a base, a chamber, the district)."""
    year_number = parse_year(request.GET.get("year"))
    events = Event.objects.filter(ends_at__lte=timezone.now()).select_related(
        "host_base__organisation", "host_chamber"
    )
    if year_number:
        events = events.filter(starts_at__year=year_number)
    events = events.order_by("-starts_at")
    per_event = services.event_figures(events)
    rows = [(event, per_event.get(event.pk)) for event in events if event.pk in per_event]
    if wants_xlsx(request):
        title = gettext("Attendance and satisfaction")
        return export_list("satisfaction.xlsx", SATISFACTION_COLUMNS, rows, title=title)
    context = {
        "hosts": services.host_figures(year_number),
        "rows": rows,
        "year": year_number,
        "query": query_without_page(request),
    }
    return render(request, "events/satisfaction.html", context)


def _score(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


#: The table by event: (event, figures) rows as the page shows them.
SATISFACTION_COLUMNS = [
    Column(_("Event"), lambda row: row[0].title),
    Column(_("Starts"), lambda row: row[0].starts_at),
    Column(_("Host"), lambda row: row[0].host_name),
    Column(_("Attendees"), lambda row: row[1].attendees),
    Column(_("Answers"), lambda row: row[1].responses),
    Column(_("Satisfaction"), lambda row: _score(row[1].satisfaction)),
]


# --- Calendars ---------------------------------------------------------------------------------


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def public_calendar(request: HttpRequest) -> HttpResponse:
    """The public events of the last year and all coming ones."""
    since = timezone.now() - datetime.timedelta(days=365)
    events = Event.objects.filter(is_public=True, ends_at__gte=since).order_by("starts_at")
    body = calendar.public_feed(
        events,
        name=gettext("Events of %(district)s") % {"district": gettext("Fengxian District")},
        base_url=request.build_absolute_uri("/").rstrip("/"),
        host=request.get_host().split(":")[0],
    )
    return _ics(body, "events.ics")


def personal_calendar(request: HttpRequest, token: str) -> HttpResponse:
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    from django.db.models import Q

    user = feed.user
    if not user.is_active:
        raise Http404
    rows = (
        Registration.objects.filter(Q(registered_by=user) | Q(user=user))
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("event")
        .order_by("event__starts_at", "created_at")
    )
    body = calendar.personal_feed(
        rows,
        name=gettext("My registrations"),
        base_url=request.build_absolute_uri("/").rstrip("/"),
        host=request.get_host().split(":")[0],
    )
    return _ics(body, "my-events.ics")


@role_required()
@require_http_methods(["GET", "POST"])
def calendars(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        feed = services.reset_calendar_feed(request.user)
        messages.success(request, gettext("Your calendar has a new address; the old one is off."))
        return redirect("events:calendars")
    feed = services.calendar_feed_for(request.user)
    return render(
        request,
        "events/calendars.html",
        {
            "public_url": request.build_absolute_uri(reverse("events:calendar")),
            "personal_url": request.build_absolute_uri(
                reverse("events:personal_calendar", args=[feed.token])
            ),
        },
    )


# --- News --------------------------------------------------------------------------------------


def news_list(request: HttpRequest) -> HttpResponse:
    items = NewsItem.objects.visible_to(request.user)
    context = {"page": paginate(request, items), "may_write": is_district_admin(request.user)}
    return render(request, "events/news_list.html", context)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def news_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Write a news report, or correct one (district staff)."""
    item = get_object_or_404(NewsItem, pk=pk) if pk else None
    initial = {"published_on": timezone.localdate()}
    if item is not None:
        initial = {name: getattr(item, name) for name in NEWS_FIELDS}
        initial.update({name: list(getattr(item, name).all()) for name in NEWS_LINKS})
    form = NewsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_news(request.user, item, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("The news report was saved."))
            return redirect(saved)
    return render(request, "events/news_form.html", {"form": form, "item": item})


def news_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        NewsItem.objects.visible_to(request.user).prefetch_related(
            Prefetch("events", queryset=Event.objects.visible_to(request.user)),
            Prefetch("policies", queryset=_policies(request.user)),
            "batches",
            Prefetch("bases", queryset=_bases()),
        ),
        pk=pk,
    )
    return render(
        request, "events/news_detail.html", {"item": item, "admin": is_district_admin(request.user)}
    )


def _policies(user):
    from zhibiao.policies.models import PolicyDocument

    return PolicyDocument.objects.visible_to(user)


def _bases():
    from zhibiao.bases.models import TrainingBase

    return TrainingBase.objects.listed().select_related("organisation")
