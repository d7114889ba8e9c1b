"""The verification queue page: district staff and department users verify or reject records."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from zhibiao.accounts.permissions import role_required
from zhibiao.core.attestation import Verification
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.forms import form_error_message
from zhibiao.core.pagination import paginate, query_without_page
from zhibiao.verification import services
from zhibiao.verification.forms import DecisionForm
from zhibiao.verification.kinds import KINDS


def _allowed(request: HttpRequest) -> None:
    if not services.may_verify_any(request.user):
        raise PermissionDenied


@role_required()
def queue(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in KINDS else ""
    state = request.GET.get("state", Verification.PENDING)
    state = state if state in Verification.values else ""
    context = {
        "page": paginate(request, services.queue(request.user, kind=kind, state=state)),
        "query": query_without_page(request),
        "kinds": [(code, k.label) for code, k in KINDS.items()],
        "states": Verification.choices,
        "kind": kind,
        "state": state,
    }
    return render(request, "verification/queue.html", context)


@require_POST
@role_required()
def decide(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    _allowed(request)
    form = DecisionForm(request.POST)
    back = request.POST.get("next") or ""
    if not form.is_valid():  # no decision, or a note too long: say which
        messages.error(request, form_error_message(form))
        return redirect("verification:queue")
    action = services.verify if form.cleaned_data["decision"] == "verify" else services.reject
    try:
        row = action(
            request.user, kind, pk, note=form.cleaned_data["note"], seen=form.cleaned_data["seen"]
        )
    except (ValidationError, TransitionRefused) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request,
            gettext("“%(record)s”: %(state)s.")
            % {"record": row, "state": row.get_verification_display()},
        )
    # The page the form was on (a path of this site). Anything else goes to the queue: given
    # to redirect(), a bare word such as "x" was taken for a view's name, and the decision
    # already saved was answered with a server error (NoReverseMatch).
    safe = back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    )
    return HttpResponseRedirect(back) if safe else redirect("verification:queue")
