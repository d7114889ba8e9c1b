"""Announcements (issue 15), for district staff: import with a preview, the list of
announcements and dated changes, and each change's affected holders."""

from __future__ import annotations

import datetime
from pathlib import PurePosixPath

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import role_required
from zhibiao.core.forms import error_message
from zhibiao.core.tabular import ImportFailed
from zhibiao.core.uploads import UploadError
from zhibiao.standards import services
from zhibiao.standards.forms import AnnouncementForm
from zhibiao.standards.models import Announcement, StandardAlert, StatusChange
from zhibiao.standards.models.checks import private_storage

#: The session key of the file waiting between its preview and its application.
PENDING = "standards_announcement_pending"
_SUFFIXES = {".csv", ".xlsx", ".docx", ".md", ".txt"}


@role_required(Role.ADMIN)
def announcement_list(request: HttpRequest) -> HttpResponse:
    announcements = Announcement.objects.restrict(request.user, "view").select_related(
        "imported_by"
    )[:50]
    changes = (
        StatusChange.objects.restrict(request.user, "view")
        .select_related("standard", "replacement", "announcement")
        .order_by("applied_at", "-effective_on", "-pk")
    )
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "standards/announcements.html",
        {"announcements": announcements, "page": page},
    )


def _kept_name(name: str) -> str:
    """The file's name as kept and recorded: at most 200 characters, its ending intact (the
    reader chooses by it, so a long name cut at its end would be read as CSV)."""
    path = PurePosixPath(name)
    suffix = path.suffix[:10]
    return path.name[: 200 - len(suffix)] + suffix if len(path.name) > 200 else path.name


def _keep(request: HttpRequest, upload) -> str:
    """Keep the uploaded file until staff apply it (the preview writes nothing). One file waits
    per session: a new preview's file replaces the last one's; files of previews never applied
    are forgotten by the daily task (`services.forget_pending_files`)."""
    earlier = request.session.pop(PENDING, None)
    services.discard_pending(earlier and earlier.get("path"))
    suffix = PurePosixPath(upload.name).suffix.lower()
    return services.keep_pending(upload, suffix if suffix in _SUFFIXES else ".csv")


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def announcement_import(request: HttpRequest) -> HttpResponse:
    """Upload → preview (what becomes new, replaced, withdrawn) → apply, all or nothing."""
    form = AnnouncementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and request.POST.get("apply"):
        return _apply(request)
    context: dict = {"form": form, "result": None, "plan": None}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            plan = services.preview_announcement(
                request.user,
                upload,
                name=upload.name,
                kind=data["kind"],
                number=data["number"],
                date=data["date"],
            )
        except UploadError as error:
            form.add_error("file", str(error))
        except ImportFailed as failure:
            context["result"] = failure.result
        else:
            request.session[PENDING] = {
                "path": _keep(request, upload),
                "name": _kept_name(upload.name),
                "kind": data["kind"],
                "number": data["number"],
                "date": data["date"].isoformat(),
                "issuer": data.get("issuer", ""),
            }
            context["plan"] = plan
    return render(request, "standards/announcement_import.html", context)


def _apply(request: HttpRequest) -> HttpResponse:
    pending = request.session.pop(PENDING, None)
    if not pending or not private_storage.exists(pending["path"]):
        messages.error(request, gettext("Nothing waits to be applied; upload the table again."))
        return redirect("standards:announcement_import")
    try:
        with private_storage.open(pending["path"], "rb") as handle:
            result = services.apply_announcement(
                request.user,
                handle,
                name=pending["name"],
                kind=pending["kind"],
                number=pending["number"],
                date=datetime.date.fromisoformat(pending["date"]),
                issuer=pending["issuer"],
            )
    except FileNotFoundError:
        # A second click on "apply" while the first was applying: the first took the file.
        messages.error(request, gettext("Nothing waits to be applied; upload the table again."))
        return redirect("standards:announcement_import")
    except ImportFailed as failure:
        # The catalogue changed between the preview and now: say which rows and why.
        context = {"form": AnnouncementForm(), "result": failure.result, "plan": None}
        return render(request, "standards/announcement_import.html", context)
    except (UploadError, ValidationError) as error:
        messages.error(request, error_message(error))
        return redirect("standards:announcement_import")
    finally:
        services.discard_pending(pending["path"])
    messages.success(
        request,
        gettext(
            "Announcement %(number)s applied: %(applied)s changes now, %(pending)s on their "
            "dates; %(notified)s users notified."
        )
        % {
            "number": result.announcement.number,
            "applied": result.applied,
            "pending": result.pending,
            "notified": result.notified,
        },
    )
    return redirect("standards:announcements")


@role_required(Role.ADMIN)
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One change and every holder it touched (staff): the affected list."""
    change = StatusChange.objects.get_for(request.user, "view", pk)
    alerts = (
        StandardAlert.objects.restrict(request.user, "view")
        .filter(change=change)
        .select_related("organisation", "user")
        .order_by("holding", "organisation__name", "pk")
    )
    page = Paginator(alerts, 100).get_page(request.GET.get("page"))
    return render(request, "standards/change_detail.html", {"change": change, "page": page})
