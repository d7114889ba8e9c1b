"""The inbox: a user's own notifications only."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from zhibiao.accounts.permissions import role_required
from zhibiao.core.pagination import paginate
from zhibiao.notifications.models import Family, MutedEmail, Notification
from zhibiao.notifications.services import mark_read, set_muted


@role_required()
def inbox(request: HttpRequest) -> HttpResponse:
    rows = Notification.objects.filter(recipient=request.user)
    return render(request, "notifications/inbox.html", {"page": paginate(request, rows)})


@role_required()
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    mark_read(request.user, [notification.pk])
    return redirect(notification.link or "notifications:inbox")


@role_required()
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    mark_read(request.user)
    return redirect("notifications:inbox")


@role_required()
def preferences(request: HttpRequest) -> HttpResponse:
    """Which kinds of notification also come by e-mail."""
    if request.method == "POST":
        muted = set(Family.values) - set(request.POST.getlist("email"))
        set_muted(request.user, muted)
        messages.success(request, gettext("Your changes were saved."))
        return redirect("notifications:preferences")
    muted = set(MutedEmail.objects.filter(user=request.user).values_list("family", flat=True))
    rows = [(value, label, value not in muted) for value, label in Family.choices]
    return render(request, "notifications/preferences.html", {"rows": rows})
