"""The inbox: a user's own notifications only."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from zhibiao.accounts.permissions import role_required
from zhibiao.core.pagination import paginate
from zhibiao.notifications.models import Notification
from zhibiao.notifications.services import mark_read


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
