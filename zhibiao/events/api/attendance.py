"""API of the check-in desk: checking in by code and importing a signed attendance sheet."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Router, Schema, UploadedFile

from zhibiao.accounts.api_auth import required_auth
from zhibiao.core.apischema import Id, Payload
from zhibiao.core.tabular import read_table
from zhibiao.core.uploads import UploadError
from zhibiao.events import services
from zhibiao.events.api.events import _hosted
from zhibiao.events.api.registration import HostRegistrationOut
from zhibiao.events.models import (
    CheckInMethod,
)

router = Router(auth=required_auth)


class CheckInIn(Payload):
    code: str
    method: str = CheckInMethod.TYPED


class ImportOut(Schema):
    checked_in: int
    already: int


@router.post(
    "/{int:event_id}/check-in",
    response=HostRegistrationOut,
    summary="Check in by code (422 for a bad code, 409 when already checked in)",
)
def check_in(request: HttpRequest, event_id: Id, payload: CheckInIn):
    event = get_object_or_404(_hosted(request), pk=event_id)
    return services.check_in(request.auth, event, payload.code, method=payload.method)


@router.post(
    "/{int:event_id}/attendance",
    response=ImportOut,
    summary="Import a signed attendance sheet (all rows, or none: 422 lists each row's error)",
)
def import_attendance(request: HttpRequest, event_id: Id, file: File[UploadedFile]):

    event = get_object_or_404(_hosted(request), pk=event_id)
    try:
        table = read_table(file)
        result = services.import_attendance(request.auth, event, table.headers, table.rows)
    except UploadError as error:
        raise ValidationError({"file": [str(error)]}) from None
    except services.ImportFailed as failure:
        errors: dict[str, list[str]] = {}
        for error in failure.result.errors:
            errors.setdefault(f"row {error.row}: {error.column}", []).append(error.message)
        raise ValidationError(errors) from None
    return {"checked_in": result.checked_in, "already": result.already}
