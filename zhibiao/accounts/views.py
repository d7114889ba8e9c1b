"""Sign-in, the workbench (a home page per role) and API tokens."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from zhibiao.accounts import services
from zhibiao.accounts.models import ApiToken, Role
from zhibiao.accounts.permissions import acts_for, role_required
from zhibiao.applications.models import Application, Status
from zhibiao.bases.models import TrainingBase
from zhibiao.committee.models import CommitteeMember
from zhibiao.directory.models import Organisation
from zhibiao.events.models import Event
from zhibiao.policies.models import PolicyDocument


@role_required()
def workbench(request: HttpRequest) -> HttpResponse:
    """What each role needs first; the template shows the part for the user's role.

    An expert's organisation is their employer, which they do not act for (`acts_for`) and may
    not edit: the page names it without the "acting for" and without the link to its edit page,
    which would answer 404."""
    user = request.user
    upcoming = Event.objects.visible_to(user).filter(ends_at__gte=timezone.now())
    context: dict = {
        "role": user.role,
        "Role": Role,
        "organisation": user.organisation,
        "acts_for_organisation": acts_for(user) is not None,
        "may_edit_organisation": Organisation.objects.editable_by(user)
        .filter(pk=user.organisation_id)
        .exists(),
        "upcoming_events": upcoming.order_by("starts_at")[:5],
    }
    applications = Application.objects.visible_to(user).select_related("enterprise", "version")
    if user.role == Role.ADMIN or user.is_superuser:
        context["counts"] = {
            "organisations": Organisation.objects.count(),
            "bases": TrainingBase.objects.listed().count(),
            "members": CommitteeMember.objects.current().count(),
            "policies": PolicyDocument.objects.in_force().count(),
        }
        context["to_do"] = applications.filter(
            status__in=[Status.SUBMITTED, Status.IN_REVIEW, Status.PUBLICITY, Status.APPROVED]
        )[:10]
    elif user.role == Role.EXPERT:
        context["seats"] = CommitteeMember.objects.filter(user=user).select_related(
            "committee", "person__organisation"
        )
        context["to_do"] = applications.filter(
            status=Status.IN_REVIEW, reviews__reviewer=user, reviews__submitted_at__isnull=True
        )
    else:
        context["to_do"] = applications.filter(status__in=[Status.DRAFT, Status.RETURNED])
    if user.role == Role.BASE_MANAGER:
        context["bases"] = TrainingBase.objects.managed_by(user).select_related("batch")
    return render(request, "accounts/workbench.html", context)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What will use it."))
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        if value and value <= timezone.localdate():
            raise forms.ValidationError(gettext("Choose a date after today."))
        return value


@role_required()
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = (
            timezone.make_aware(datetime.datetime.combine(expires_on, datetime.time.min))
            if expires_on
            else None
        )
        _token, new_key = services.create_token(
            request.user, name=form.cleaned_data["name"], expires_at=expires_at
        )
        form = TokenForm()
    context = {
        "form": form,
        "new_key": new_key,
        "tokens": ApiToken.objects.filter(user=request.user),
    }
    return render(request, "accounts/tokens.html", context)


@role_required()
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    services.revoke_token(request.user, token)
    messages.success(request, gettext("The token was revoked."))
    return redirect("accounts:tokens")
