"""After the event: when feedback is open, submitting it, and sending the satisfaction survey
to those who attended.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
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
    Feedback,
    Registration,
)
from zhibiao.events.services.steps import S
from zhibiao.notifications.services import notify


def _withdrawn(registration: Registration) -> bool:
    """Whether the attendance was withdrawn with its certificate (revoked as issued in error):
    it no longer counts, for the subsidy or for the base's survey."""
    return Certificate.objects.filter(
        registration_id=registration.pk, revoked_at__isnull=False
    ).exists()


def feedback_open(registration: Registration, now=None) -> bool:
    now = now or timezone.now()
    return (
        registration.status == S.ATTENDED
        and now >= registration.event.ends_at
        and not Feedback.objects.filter(registration=registration).exists()
        and not _withdrawn(registration)
    )


@transaction.atomic
def submit_feedback(
    actor, registration: Registration, *, satisfaction: Any, usefulness: Any, comment: str = ""
) -> Feedback:
    """An attendee's answers to the survey, once, after the event.

    The caller has proved the right to answer for this attendee: the ticket's secret address,
    or a signed-in user who may see the registration. No-shows are refused.
    """
    # Locked until the answer commits: a second submission (a double click, two tabs) waits,
    # then finds the first answer, rather than hitting the one-answer constraint.
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event")
        .get(pk=registration.pk)
    )
    if registration.status != S.ATTENDED or _withdrawn(registration):
        raise Refused(gettext("Only people who attended answer the survey."))
    if timezone.now() < registration.event.ends_at:
        raise Refused(gettext("The survey opens when the event is over."))
    if Feedback.objects.filter(registration=registration).exists():
        raise Refused(gettext("This survey has already been answered. Thank you."))
    errors: dict[str, str] = {}
    scores = {}
    for name, value in (("satisfaction", satisfaction), ("usefulness", usefulness)):
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= 5:
            errors[name] = gettext("Choose a score from 1 to 5.")
        scores[name] = number
    comment = (comment or "").strip()
    if len(comment) > 2000:
        errors["comment"] = gettext("Ensure this value has at most %(max)s characters.") % {
            "max": 2000
        }
    if errors:
        raise ValidationError(errors)
    feedback = Feedback.objects.create(registration=registration, comment=comment, **scores)
    record(actor, "feedback.submit", registration, **scores)
    return feedback


@transaction.atomic
def send_survey(actor, event: Event) -> int:
    """Invite the attendees (never the no-shows) to the survey, through whoever registered
    them; once per event. Returns how many users were notified."""
    ensure_can(actor, "manage", event)
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if timezone.now() < locked.ends_at:
        raise Refused(gettext("The survey opens when the event is over."))
    if locked.survey_sent_at:
        raise Refused(
            gettext("The survey was sent on %(date)s.")
            % {"date": timezone.localtime(locked.survey_sent_at).strftime("%Y-%m-%d %H:%M")}
        )
    attended = locked.registrations.filter(status=S.ATTENDED)
    user_ids = set(attended.values_list("registered_by", flat=True)) | set(
        attended.exclude(user=None).values_list("user", flat=True)
    )
    users = get_user_model().objects.filter(pk__in=user_ids)
    from django.urls import reverse

    sent = notify(
        users,
        kind="event.survey",
        title=gettext("How was “%(event)s”? A short survey for the attendees")
        % {"event": locked.title},
        body=gettext("Each attendee answers once, from their ticket page."),
        link=reverse("events:registrations") + f"?event={locked.pk}",
    )
    locked.survey_sent_at = timezone.now()
    locked.save(update_fields=["survey_sent_at"])
    record(actor, "event.survey", locked, notified=sent, attendees=attended.count())
    return sent
