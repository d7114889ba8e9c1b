"""Registering people for an event, one's registrations, cancelling, and the ticket (whose
secret address also opens the certificate and the survey).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from zhibiao.accounts.permissions import acting_organisation, role_required
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.forms import form_error_message, put_on_rows, whole_number
from zhibiao.core.pagination import paginate, query_without_page
from zhibiao.events import qr, services
from zhibiao.events.errors import Refused
from zhibiao.events.forms import (
    AttendeeFormSet,
    CancelForm,
)
from zhibiao.events.models import (
    Registration,
    RegistrationStatus,
)
from zhibiao.events.views.events import _events


def _formset_errors(formset, indexes: list[int], error: ValidationError) -> None:
    """Put `attendees.<n>.<field>` errors on the formset's rows, the rest above it."""
    shown = {str(number): formset.forms[index] for number, index in enumerate(indexes)}
    rest = put_on_rows(error, "attendees", shown)
    texts = [text for texts in rest.values() for text in texts]
    if texts:
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
        Registration.objects.restrict(request.user, "act")
        .select_related("event", "certificate", "feedback")
        .order_by("-event__starts_at", "created_at")
    )
    event_id = whole_number(request.GET.get("event"))
    if event_id is not None:
        rows = rows.filter(event_id=event_id)
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
    registration = Registration.objects.get_for(request.user, "view", pk)
    form = CancelForm(request.POST)
    if not form.is_valid():  # a reason too long: say so, cancel nothing
        messages.error(request, form_error_message(form))
        return redirect(_back(request))
    try:
        services.cancel(request.user, registration, reason=form.cleaned_data["reason"])
    except TransitionRefused as error:  # ConcurrentChange too
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            gettext("The registration of %(name)s was cancelled.") % {"name": registration.name},
        )
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    """Where the cancel form came from (a path on this site), else my registrations."""
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return target
    return reverse("events:registrations")


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
    a seat is held; afterwards the certificate and the survey. The address is the credential:
    the page offers to copy or share it and shows it as a QR code, for whoever registered
    someone to pass the ticket on to that person's phone."""
    registration = _ticket(token)
    ticket_url = request.build_absolute_uri(reverse("events:ticket", args=[registration.token]))
    context: dict = {
        "registration": registration,
        "event": registration.event,
        "ticket_url": ticket_url,
        "ticket_qr_svg": qr.svg(ticket_url),
    }
    if registration.status == RegistrationStatus.CONFIRMED:
        context["code"] = services.check_in_code(registration)
        context["qr_svg"] = qr.svg(_check_in_url(request, registration))
    certificate = getattr(registration, "certificate", None)
    context["certificate"] = None if certificate and certificate.revoked_at else certificate
    context["feedback_open"] = services.feedback_open(registration)
    return render(request, "events/ticket.html", context)
