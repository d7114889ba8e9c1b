"""Events: conferences, policy publicity sessions, courses and site visits, with their agenda;
and the training they carry: registration with a waiting list, check-in, certificates, feedback,
calendar feeds and news.

Who attends is a person, not an account: an enterprise user registers colleagues by name and
mobile number (or themselves), and each registration is one person's seat (or place on the
waiting list) with its own ticket page. Nothing is deleted: a cancelled registration stays on
file, and every change of status is a RegistrationStep row.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import acting_organisation, acts_for, is_district_admin
from zhibiao.core.files import StoredFile
from zhibiao.core.permissions import RestrictedQuerySet


class EventKind(models.TextChoices):
    CONFERENCE = "conference", _("Conference")
    PUBLICITY = "publicity", _("Policy publicity session")
    COURSE = "course", _("Course")
    SITE_VISIT = "site_visit", _("Site visit")
    PRACTICE = "practice", _("Hands-on practice")


#: The kinds a training base delivers, as the measures' `courses` fact knows them.
TRAINING_KINDS = (EventKind.COURSE, EventKind.SITE_VISIT, EventKind.PRACTICE)


class HostKind(models.TextChoices):
    DISTRICT = "district", _("The district")
    BASE = "base", _("A training base")
    CHAMBER = "chamber", _("A chamber or association")


class Audience(models.TextChoices):
    OPEN = "open", _("Open to all")
    CHOSEN = "chosen", _("Chosen enterprises, towns or roles")


class AgendaKind(models.TextChoices):
    CHAIR = "chair", _("Chairing")
    RELEASE = "release", _("Release of a policy")
    FOUNDING = "founding", _("Founding")
    UNVEILING = "unveiling", _("Plaque unveiling")
    PLAQUE_AWARD = "plaque_award", _("Plaque awarding")
    SPEECH = "speech", _("Speech")
    EXCHANGE = "exchange", _("Exchange speech")
    LECTURE = "lecture", _("Lecture")
    OTHER = "other", _("Other")


class EventQuerySet(RestrictedQuerySet):
    def _visible_to(self, user) -> EventQuerySet:
        """Public events for everyone; internal ones for administrators and their hosts."""
        if is_district_admin(user):
            return self
        return self.filter(Q(is_public=True) | Q(pk__in=self.restrict(user, "manage").values("pk")))

    def _managed_by(self, user) -> EventQuerySet:
        """Whose registrations, check-in and materials a user runs: every event for district
        administrators, the events hosted at their base for base managers, at their chamber
        for chamber users."""
        if is_district_admin(user):
            return self
        if user is None or not user.is_authenticated or not user.organisation_id:
            return self.none()
        if user.role == Role.BASE_MANAGER:
            return self.filter(
                host_kind=HostKind.BASE, host_base__organisation_id=user.organisation_id
            )
        if user.role == Role.CHAMBER:
            return self.filter(host_kind=HostKind.CHAMBER, host_chamber_id=user.organisation_id)
        return self.none()

    actions = {"view": _visible_to, "manage": _managed_by}


class Event(models.Model):
    """Something that happens at a time and place, organised by one or more organisations."""

    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    organisers = models.ManyToManyField(
        "directory.Organisation", verbose_name=_("organisers"), related_name="events_organised"
    )
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    host_kind = models.CharField(
        _("host"), max_length=10, choices=HostKind.choices, default=HostKind.DISTRICT
    )
    host_base = models.ForeignKey(
        "bases.TrainingBase",
        verbose_name=_("host training base"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    host_chamber = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("host chamber"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events_hosted",
    )
    capacity = models.PositiveIntegerField(
        _("seats"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    #: Confirmed and attended registrations, kept under the event's row lock by the services;
    #: the check constraint below refuses any write that would overbook.
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0, editable=False)
    registration_opens_at = models.DateTimeField(
        _("registration opens"),
        null=True,
        blank=True,
        help_text=_("Leave both empty if the event takes no registration."),
    )
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    quota_per_enterprise = models.PositiveSmallIntegerField(
        _("places per enterprise"),
        null=True,
        blank=True,
        help_text=_("Most people one enterprise may register, waiting list included."),
    )
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.OPEN
    )
    audience_organisations = models.ManyToManyField(
        "directory.Organisation",
        verbose_name=_("enterprises invited"),
        blank=True,
        related_name="events_invited",
    )
    audience_towns = models.JSONField(_("towns invited"), default=list, blank=True)
    audience_roles = models.JSONField(_("roles invited"), default=list, blank=True)
    survey_sent_at = models.DateTimeField(_("survey sent"), null=True, blank=True)
    #: When enterprises could first learn of the event at its present date: set when it is
    #: saved public for the first time, and again when it is moved to an earlier start (see
    #: `save` and `services.update_event`). None while it is internal. The notice it gives
    #: (starts_at − announced_at) decides whether a course counts towards a base's subsidy:
    #: a course made up on the spot has none.
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="events_event_ends_after_start",
                violation_error_message=_("An event must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=EventKind.values),
                name="events_event_kind_valid",
                violation_error_message=_("Unknown kind of event."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(seats_taken__lte=F("capacity")),
                name="events_event_no_overbooking",
                violation_error_message=_("More seats would be taken than the event has."),
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True, registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="events_event_registration_window",
                violation_error_message=_("Registration must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(host_kind="district", host_base__isnull=True, host_chamber__isnull=True)
                | Q(host_kind="base", host_base__isnull=False, host_chamber__isnull=True)
                | Q(host_kind="chamber", host_base__isnull=True, host_chamber__isnull=False),
                name="events_event_host_consistent",
                violation_error_message=_("Name the training base or chamber that hosts it."),
            ),
            models.CheckConstraint(
                condition=Q(audience__in=Audience.values),
                name="events_event_audience_valid",
                violation_error_message=_("Unknown audience."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        """Record the announcement the first time the event is saved public, whatever path
        saves it (the services, the admin site, the demo), so that no public event lacks one."""
        if self.is_public and self.announced_at is None:
            self.announced_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "announced_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.pk])

    @property
    def notice(self) -> datetime.timedelta | None:
        """How long ahead the event was announced (a timedelta), or None if it never was."""
        if self.announced_at is None:
            return None
        return self.starts_at - self.announced_at

    def check_in_window(self) -> tuple[datetime.datetime, datetime.datetime]:
        """When the desk may check people in: from CHECKIN_OPENS_MINUTES before the start to
        the end. Earlier, nobody can have come yet; later, the event is over (a paper list is
        imported instead)."""
        opens = self.starts_at - datetime.timedelta(minutes=settings.CHECKIN_OPENS_MINUTES)
        return opens, self.ends_at

    def clean(self) -> None:
        from zhibiao.directory.models import OrganisationKind, Town

        errors: dict[str, str] = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = gettext("An event must end after it starts.")
        opens, closes = self.registration_opens_at, self.registration_closes_at
        if bool(opens) != bool(closes):
            field = "registration_closes_at" if opens else "registration_opens_at"
            errors[field] = gettext("Give both the opening and the closing of registration.")
        elif opens and closes:
            if closes <= opens:
                errors["registration_closes_at"] = gettext(
                    "Registration must close after it opens."
                )
            elif self.ends_at and closes > self.ends_at:
                errors["registration_closes_at"] = gettext(
                    "Registration must close before the event ends."
                )
        if self.capacity is not None and self.capacity < self.seats_taken:
            errors["capacity"] = gettext(
                "%(taken)s seats are already taken; the event cannot have fewer."
            ) % {"taken": self.seats_taken}
        if self.host_kind == HostKind.BASE and not self.host_base_id:
            errors["host_base"] = gettext("Choose the training base that hosts the event.")
        if self.host_kind == HostKind.CHAMBER:
            if not self.host_chamber_id:
                errors["host_chamber"] = gettext("Choose the chamber that hosts the event.")
            elif self.host_chamber.kind != OrganisationKind.CHAMBER:
                errors["host_chamber"] = gettext("Only a chamber or association can host as one.")
        if self.host_kind != HostKind.BASE:
            self.host_base = None
        if self.host_kind != HostKind.CHAMBER:
            self.host_chamber = None
        unknown_towns = set(self.audience_towns or []) - set(Town.values)
        if not isinstance(self.audience_towns, list) or unknown_towns:
            errors["audience_towns"] = gettext("Unknown town.")
        if not isinstance(self.audience_roles, list) or set(self.audience_roles or []) - set(
            Role.values
        ):
            errors["audience_roles"] = gettext("Unknown role.")
        if errors:
            raise ValidationError(errors)

    # --- derived facts the pages and services share -----------------------------------------

    @property
    def takes_registration(self) -> bool:
        return self.registration_opens_at is not None

    def registration_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return bool(
            self.takes_registration
            and self.registration_opens_at <= now < self.registration_closes_at
        )

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.seats_taken, 0)

    @property
    def host_name(self) -> str:
        if self.host_kind == HostKind.BASE and self.host_base_id:
            return self.host_base.organisation.name
        if self.host_kind == HostKind.CHAMBER and self.host_chamber_id:
            return self.host_chamber.name
        return str(settings.DISTRICT_NAME)

    def admits(self, user, organisation=None) -> bool:
        """Whether the audience includes this user (by role) or their enterprise (by name or
        town). An open event admits everyone signed in. The enterprise is the one the user acts
        for (`acts_for`): an expert is not invited by their employer's invitation."""
        if self.audience == Audience.OPEN or is_district_admin(user):
            return True
        organisation = organisation or acting_organisation(user)
        if user.role in (self.audience_roles or []):
            return True
        if organisation is None:
            return False
        if organisation.town and organisation.town in (self.audience_towns or []):
            return True
        return self.audience_organisations.filter(pk=organisation.pk).exists()


class AgendaItem(models.Model):
    """One point of an event's programme, linked to what it concerns (committee, policy, batch)."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="agenda"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=20, choices=AgendaKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    people = models.ManyToManyField(
        "directory.Person", verbose_name=_("people"), blank=True, related_name="agenda_items"
    )
    committee = models.ForeignKey(
        "committee.Committee",
        verbose_name=_("committee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    policy = models.ForeignKey(
        "policies.PolicyDocument",
        verbose_name=_("policy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    batch = models.ForeignKey(
        "bases.Batch",
        verbose_name=_("training-base batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["event", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "order"],
                name="events_agenda_unique_order",
                violation_error_message=_("Two agenda items of an event share this position."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AgendaKind.values),
                name="events_agenda_kind_valid",
                violation_error_message=_("Unknown kind of agenda item."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event}: {self.title}"


class Speaker(models.Model):
    """Who speaks or teaches: a committee expert (linked to the seat) or someone else by name."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="speakers"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    member = models.ForeignKey(
        "committee.CommitteeMember",
        verbose_name=_("committee expert"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="talks",
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    title = models.CharField(_("office or title"), max_length=200, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["event", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False) | ~Q(name=""),
                name="events_speaker_named",
                violation_error_message=_("Choose a committee expert or give a name."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        if not self.member_id and not (self.name or "").strip():
            raise ValidationError({"name": gettext("Choose a committee expert or give a name.")})

    @property
    def display_name(self) -> str:
        if self.member_id:
            return self.member.person.name
        return self.name

    @property
    def display_title(self) -> str:
        if self.member_id and not self.title:
            return self.member.person.title
        return self.title


class Material(StoredFile):
    """A file handed out for an event (slides, a policy digest), served only through the event's
    visibility; the stored name is random, the original name only shown."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="materials"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="materials/%Y/%m/")

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["event", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title


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
    SCAN = "scan", _("QR code scanned")
    TYPED = "typed", _("Code typed")
    SHEET = "sheet", _("Attendance sheet")


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

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="registrations"
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="event_registrations",
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("mobile number"), max_length=11)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("own account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attendances",
        help_text=_("Set when people register themselves."),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="registrations_made",
    )
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    check_in_method = models.CharField(
        _("check-in"), max_length=10, choices=CheckInMethod.choices, blank=True
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
            models.UniqueConstraint(
                fields=["event", "phone"],
                condition=Q(status__in=["confirmed", "waitlisted", "attended"]),
                name="events_registration_one_per_person",
                violation_error_message=_("This person is already registered for this event."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=RegistrationStatus.values),
                name="events_registration_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=Q(status="attended", checked_in_at__isnull=False)
                | (~Q(status="attended") & Q(checked_in_at__isnull=True)),
                name="events_registration_attended_checked_in",
                violation_error_message=_("Only attendees have a check-in time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.event}"

    def get_absolute_url(self) -> str:
        return reverse("events:ticket", args=[self.token])

    @property
    def masked_phone(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]}" if len(self.phone) == 11 else self.phone


class RegistrationStep(models.Model):
    """One change of a registration's status: who (None: the platform), when, and why."""

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.PROTECT,
        related_name="steps",
    )
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(
        _("from"), max_length=12, choices=RegistrationStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=RegistrationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("registration step")
        verbose_name_plural = _("registration steps")
        ordering = ["registration", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.registration}: {self.from_status or '-'} → {self.to_status}"


class Certificate(models.Model):
    """A certificate of attendance, issued when an attendee is checked in; its code is the
    address of the public page that says whether it is genuine."""

    registration = models.OneToOneField(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    number = models.CharField(_("number"), max_length=30, unique=True)
    code = models.CharField(_("verification code"), max_length=40, unique=True)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revoking"), blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("events:verify", args=[self.code])


class Feedback(models.Model):
    """An attendee's answers to the short survey after the event: one per registration."""

    registration = models.OneToOneField(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("overall satisfaction (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    usefulness = models.PositiveSmallIntegerField(
        _("usefulness for your work (1–5)"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("comments and suggestions"), blank=True, max_length=2000)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__gte=1, satisfaction__lte=5)
                & Q(usefulness__gte=1, usefulness__lte=5),
                name="events_feedback_scores_1_to_5",
                violation_error_message=_("Scores are between 1 and 5."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration}: {self.satisfaction}"


class CalendarFeed(models.Model):
    """The secret address of a user's personal calendar feed: calendar programs cannot sign in,
    so the address is the credential, and a new one can replace it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(_("token"), max_length=40, unique=True, default=_ticket_token)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)


class NewsQuerySet(RestrictedQuerySet):
    def _visible_to(self, user) -> NewsQuerySet:
        """Published news for everyone; drafts for district administrators."""
        if is_district_admin(user):
            return self
        return self.filter(is_published=True, published_on__lte=timezone.localdate())

    actions = {"view": _visible_to}


class NewsItem(models.Model):
    """A news report on the public site, linked to the events, policies and bases it concerns."""

    title = models.CharField(_("title"), max_length=200)
    published_on = models.DateField(_("published on"))
    source = models.CharField(_("source"), max_length=100, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("text"))
    events = models.ManyToManyField(
        Event, verbose_name=_("events"), blank=True, related_name="news"
    )
    policies = models.ManyToManyField(
        "policies.PolicyDocument", verbose_name=_("policies"), blank=True, related_name="news"
    )
    batches = models.ManyToManyField(
        "bases.Batch", verbose_name=_("training-base batches"), blank=True, related_name="news"
    )
    bases = models.ManyToManyField(
        "bases.TrainingBase", verbose_name=_("training bases"), blank=True, related_name="news"
    )
    is_published = models.BooleanField(_("published"), default=True)

    objects = NewsQuerySet.as_manager()

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        ordering = ["-published_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("news:detail", args=[self.pk])
