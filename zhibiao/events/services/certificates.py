"""Issuing a certificate of attendance (on check-in) and revoking one."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.audit.services import record
from zhibiao.core.permissions import ensure_can
from zhibiao.events.errors import Refused
from zhibiao.events.models import (
    Certificate,
    Event,
    Registration,
)


def _issue_certificate(registration: Registration) -> Certificate:
    year = timezone.localtime(registration.event.starts_at).year
    return Certificate.objects.create(
        registration=registration,
        number=f"ZB{year}{registration.pk:07d}",
        code=secrets.token_urlsafe(12),
    )


@transaction.atomic
def revoke_certificate(actor, certificate: Certificate, *, reason: str) -> Certificate:
    """Withdraw a certificate issued in error; the check page then says so."""
    ensure_can(actor, "manage", Event(pk=certificate.registration.event_id))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("Give a reason for this step.")})
    # Locked until the revocation commits: of two at once, the second finds it revoked.
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at:
        raise Refused(gettext("This certificate is already revoked."))
    certificate.revoked_at, certificate.revoked_reason = timezone.now(), reason
    certificate.save(update_fields=["revoked_at", "revoked_reason"])
    record(actor, "certificate.revoke", certificate, reason=reason)
    return certificate
