"""The check-in desk (typed or scanned code), the printed attendance sheet and importing a
signed one.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from zhibiao.accounts.permissions import role_required
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.exports import safe_row
from zhibiao.core.forms import error_message, form_error_message
from zhibiao.core.tabular import read_table
from zhibiao.core.uploads import UploadError
from zhibiao.events import services
from zhibiao.events.forms import (
    CheckInForm,
    SheetForm,
)
from zhibiao.events.models import (
    CheckInMethod,
    Event,
    Registration,
    RegistrationStatus,
)
from zhibiao.events.services import HOST_ROLES


@role_required(*HOST_ROLES)
def attendance_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The registered people as an xlsx to print for signatures and type back afterwards."""
    from openpyxl import Workbook

    event = get_object_or_404(Event.objects.restrict(request.user, "manage"), pk=pk)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = gettext("Attendance")[:31]
    sheet.append(["序号", "姓名", "手机号", "单位", "签到"])
    seated = event.registrations.filter(status__in=services.SEATED).select_related("organisation")
    for number, registration in enumerate(seated.order_by("organisation__name", "name"), 1):
        organisation = registration.organisation.name if registration.organisation_id else ""
        row = [number, registration.name, registration.phone, organisation, ""]
        sheet.append(safe_row(sheet, row))
    for column, width in zip("ABCDE", (6, 14, 16, 36, 12), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"attendance-{event.pk}.xlsx")


@role_required(*HOST_ROLES)
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """Type a code or scan one (the camera, where the browser allows): who it is shows at once.

    A scanned address (?code=…) shows the person and asks for one tap; a POST checks in.
    With htmx, only the result is swapped in, so the camera keeps running.
    """
    event = get_object_or_404(Event.objects.restrict(request.user, "manage"), pk=pk)
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
            except TransitionRefused as error:  # ConcurrentChange too
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
    event = get_object_or_404(Event.objects.restrict(request.user, "manage"), pk=pk)
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
        except TransitionRefused as error:  # ConcurrentChange too
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
