"""The satisfaction survey: sending it (hosts) and answering it (from the ticket)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from zhibiao.accounts.permissions import role_required
from zhibiao.core.forms import add_service_errors
from zhibiao.events import services
from zhibiao.events.errors import Refused
from zhibiao.events.forms import (
    FeedbackForm,
)
from zhibiao.events.models import (
    Event,
    RegistrationStatus,
)
from zhibiao.events.services import HOST_ROLES
from zhibiao.events.views.registration import _ticket


@role_required(*HOST_ROLES)
@require_POST
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.restrict(request.user, "manage"), pk=pk)
    try:
        sent = services.send_survey(request.user, event)
    except Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, gettext("The survey went to %(count)s people.") % {"count": sent})
    return redirect("events:manage", pk=pk)


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
