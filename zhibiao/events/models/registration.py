"""Registration: one person's seat (or place on the waiting list) at an event, with its ticket
and check-in, and the history of its steps.

Who attends is a person, not an account: an enterprise user registers colleagues by name and
mobile number (or themselves), and each registration has its own ticket page. Nothing is
deleted: a cancelled registration stays on file, and every change of status is a
RegistrationStep row, taken through the registration's machine (`services.steps`).
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.permissions import acts_for, is_district_admin
from zhibiao.core.modelfields import check, ref, unique, user_ref, valid_choice
from zhibiao.core.permissions import RestrictedQuerySet
from zhibiao.core.workflow import StepRecord, revision_field
from zhibiao.events.models.events import Event


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Registered")
    WAITLISTED = "waitlisted", _("On the waiting list")
    ATTENDED = "attended", _("Attended")
    CANCELLED = "cancelled", _("Cancelled")


#: States that hold a seat, and states that count as a person registered (for duplicates and
#: the enterprise's quota).
SEATED = (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED)
LIVE = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.ATTENDED)


class CheckInMethod(models.TextChoices):
    """How a person was checked in: at the desk, or from the paper attendance sheet, and then
    who typed it in. A sheet counts towards a base's course subsidy only if district staff
    imported it (`services.qualify`); that is fixed at the import, from the importer's role at
    that moment, so that a later change of their role changes no past count."""

    SCAN = "scan", _("QR code scanned")
    TYPED = "typed", _("Code typed")
    SHEET = "sheet", _("Attendance sheet, imported by the host")
    STAFF_SHEET = "staff_sheet", _("Attendance sheet, imported by district staff")


#: Check-ins from a paper sheet rather than at the desk.
FROM_SHEET = (CheckInMethod.SHEET, CheckInMethod.STAFF_SHEET)


class RegistrationQuerySet(RestrictedQuerySet):
    def _visible_to(self, user) -> RegistrationQuerySet:
        """Administrators see all; hosts the registrations of their events; everyone else those
        they made or that their organisation made."""
        if is_district_admin(user):
            return self
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(self._mine(user) | Q(event__in=Event.objects.restrict(user, "manage")))

    def _of(self, user) -> RegistrationQuerySet:
        """The registrations a user answers for: made by them, of them, or of their
        organisation; not those of the events they host (a host does not fill in the survey
        for the attendees)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(self._mine(user))

    @staticmethod
    def _mine(user) -> Q:
        """Made by them, of them, or of the organisation they act for: not of an expert's
        employer, which they do not answer for (`acts_for`)."""
        mine = Q(registered_by=user) | Q(user=user)
        organisation_id = acts_for(user)
        if organisation_id is not None:
            mine |= Q(organisation_id=organisation_id)
        return mine

    def live(self) -> RegistrationQuerySet:
        return self.filter(status__in=LIVE)

    actions = {"view": _visible_to, "act": _of}


def _ticket_token() -> str:
    return secrets.token_urlsafe(24)


class Registration(models.Model):
    """One person's registration for an event: a seat, or a place on the waiting list."""

    event = ref(Event, _("event"), "registrations")
    organisation = ref(
        "directory.Organisation", _("enterprise"), "event_registrations", null=True, blank=True
    )
    name = models.CharField(_("full name"), max_length=50)
    phone = models.CharField(_("mobile number"), max_length=11)
    user = user_ref(
        _("own account"),
        "attendances",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("Set when people register themselves."),
    )
    registered_by = user_ref(_("registered by"), "registrations_made")
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices)
    revision = revision_field(editable=False)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = user_ref(_("checked in by"), null=True, blank=True)
    check_in_method = models.CharField(
        _("check-in"), max_length=20, choices=CheckInMethod.choices, blank=True
    )
    #: The ticket page's address: unguessable, so the registrant can send it to the attendee's
    #: phone, which then shows the QR code without an account.
    token = models.CharField(_("ticket"), max_length=40, unique=True, default=_ticket_token)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "created_at", "pk"]
        indexes = [models.Index(fields=["event", "status"], name="events_registration_status")]
        constraints = [
            unique(
                "events_registration_one_per_person",
                "event",
                "phone",
                condition=Q(status__in=["confirmed", "waitlisted", "attended"]),
                message=_("This person is already registered for this event."),
            ),
            valid_choice(
                "events_registration_status_valid",
                "status",
                RegistrationStatus,
                _("Unknown status."),
            ),
            check(
                "events_registration_attended_checked_in",
                Q(status="attended", checked_in_at__isnull=False)
                | (~Q(status="attended") & Q(checked_in_at__isnull=True)),
                _("Only attendees have a check-in time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.event}"

    def get_absolute_url(self) -> str:
        return reverse("events:ticket", args=[self.token])

    @property
    def masked_phone(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]}" if len(self.phone) == 11 else self.phone


class RegistrationStep(StepRecord):
    """One step of a registration: registered (from no status), cancelled, given a seat,
    checked in; who (None: the platform, which gives freed seats to the waiting list), when,
    and why."""

    registration = ref(Registration, _("registration"), "steps")
    from_status = models.CharField(
        _("from"), max_length=20, choices=RegistrationStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=RegistrationStatus.choices)
    actor = user_ref(_("by"), null=True, blank=True)

    class Meta(StepRecord.Meta):
        verbose_name = _("registration step")
        verbose_name_plural = _("registration steps")
        ordering = ["registration", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.registration}: {self.from_status or '-'} → {self.to_status}"
