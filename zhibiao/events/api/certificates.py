"""API of certificates of attendance: whether one is genuine (public) and revoking one."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema

from zhibiao.accounts.api_auth import required_auth
from zhibiao.core.apischema import Payload
from zhibiao.events import services
from zhibiao.events.api.events import _hosted
from zhibiao.events.models import (
    Certificate,
)

router = Router()


class RevokeIn(Payload):
    reason: str


class CertificateOut(Schema):
    number: str
    genuine: bool
    revoked_at: datetime.datetime | None
    name: str = Field(alias="registration.name")
    event_id: int = Field(alias="registration.event_id")
    event_title: str = Field(alias="registration.event.title")
    held_on: datetime.date
    issued_at: datetime.datetime

    @staticmethod
    def resolve_genuine(obj) -> bool:
        return obj.revoked_at is None

    @staticmethod
    def resolve_held_on(obj) -> datetime.date:
        return timezone.localtime(obj.registration.event.starts_at).date()


@router.post(
    "/certificates/{code}/revoke",
    response=CertificateOut,
    auth=required_auth,
    summary="Revoke a certificate issued in error (the event's host)",
)
def revoke(request: HttpRequest, code: str, payload: RevokeIn):
    certificate = get_object_or_404(
        Certificate.objects.select_related("registration__event").filter(
            registration__event__in=_hosted(request)
        ),
        code=code,
    )
    return services.revoke_certificate(request.auth, certificate, reason=payload.reason)


@router.get(
    "/certificates/{code}",
    response=CertificateOut,
    summary="Whether a certificate is genuine",
)
def verify(request: HttpRequest, code: str):
    return get_object_or_404(Certificate.objects.select_related("registration__event"), code=code)
