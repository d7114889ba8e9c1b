"""API of the satisfaction survey: sending it (hosts) and answering it (the registered)."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router

from zhibiao.accounts.api_auth import required_auth
from zhibiao.core.apischema import DbInt, Id, Payload
from zhibiao.events import services
from zhibiao.events.api.events import _hosted
from zhibiao.events.models import (
    Registration,
)

router = Router(auth=required_auth)


class FeedbackIn(Payload):
    satisfaction: DbInt
    usefulness: DbInt
    comment: str = ""


@router.post("/{int:event_id}/survey", response=dict, summary="Send the survey")
def survey(request: HttpRequest, event_id: Id):
    event = get_object_or_404(_hosted(request), pk=event_id)
    return {"notified": services.send_survey(request.auth, event)}


@router.post(
    "/registrations/{int:registration_id}/feedback",
    response={201: dict},
    summary="Answer the survey for an attendee",
)
def feedback(request: HttpRequest, registration_id: Id, payload: FeedbackIn):
    # Only for an attendee one answers for: a host sees the registrations but does not answer.
    registration = get_object_or_404(
        Registration.objects.restrict(request.auth, "act"), pk=registration_id
    )
    answer = services.submit_feedback(request.auth, registration, **payload.dict())
    return 201, {"satisfaction": answer.satisfaction, "usefulness": answer.usefulness}
