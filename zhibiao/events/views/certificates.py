"""Certificates of attendance: the PDF from the ticket, the public check of a code, and
revoking one.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from zhibiao.accounts.permissions import role_required
from zhibiao.core.forms import error_message, form_error_message
from zhibiao.events import certificates, services
from zhibiao.events.errors import Refused
from zhibiao.events.forms import (
    CancelForm,
)
from zhibiao.events.models import (
    Certificate,
    Event,
)
from zhibiao.events.services import HOST_ROLES
from zhibiao.events.views.registration import _ticket


@role_required(*HOST_ROLES)
@require_POST
def revoke(request: HttpRequest, pk: int, certificate_pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.restrict(request.user, "manage"), pk=pk)
    certificate = get_object_or_404(
        Certificate.objects.filter(registration__event=event), pk=certificate_pk
    )
    form = CancelForm(request.POST)
    if not form.is_valid():  # a reason too long: say so, revoke nothing
        messages.error(request, form_error_message(form))
        return redirect("events:manage", pk=pk)
    try:
        services.revoke_certificate(request.user, certificate, reason=form.cleaned_data["reason"])
    except (Refused, ValidationError) as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, gettext("The certificate was revoked."))
    return redirect("events:manage", pk=pk)


def certificate_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The certificate of attendance: for attendees only, whose ticket address this is."""
    registration = _ticket(token)
    certificate = Certificate.objects.filter(registration=registration).first()
    if certificate is None or certificate.revoked_at is not None:
        raise Http404  # a revoked certificate is not printed again; its check page says why
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
