"""Events: conferences, policy publicity sessions, courses and site visits, with their agenda,
speakers and materials; and who hosts them (the district, a training base, a chamber).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import acting_organisation, is_district_admin
from zhibiao.core.files import StoredFile
from zhibiao.core.modelfields import check, ref, unique, user_ref, valid_choice
from zhibiao.core.permissions import RestrictedQuerySet
from zhibiao.core.years import validate_plausible_date
from zhibiao.directory.models import OrganisationKind, Town


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
    host_base = ref("bases.TrainingBase", _("host training base"), "events", null=True, blank=True)
    host_chamber = ref(
        "directory.Organisation", _("host chamber"), "events_hosted", null=True, blank=True
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
    created_by = user_ref(_("created by"), on_delete=models.SET_NULL, null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at", "pk"]
        constraints = [
            check(
                "events_event_ends_after_start",
                Q(ends_at__gt=F("starts_at")),
                _("An event must end after it starts."),
            ),
            valid_choice("events_event_kind_valid", "kind", EventKind, _("Unknown kind of event.")),
            check(
                "events_event_no_overbooking",
                Q(capacity__isnull=True) | Q(seats_taken__lte=F("capacity")),
                _("More seats would be taken than the event has."),
            ),
            check(
                "events_event_registration_window",
                Q(registration_opens_at__isnull=True, registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                _("Registration must close after it opens."),
            ),
            check(
                "events_event_host_consistent",
                Q(host_kind="district", host_base__isnull=True, host_chamber__isnull=True)
                | Q(host_kind="base", host_base__isnull=False, host_chamber__isnull=True)
                | Q(host_kind="chamber", host_base__isnull=True, host_chamber__isnull=False),
                _("Name the training base or chamber that hosts it."),
            ),
            valid_choice(
                "events_event_audience_valid", "audience", Audience, _("Unknown audience.")
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

        errors: dict[str, str] = {}
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            # A slip in the date picker (year 1, year 9999) is said here, before it breaks the
            # ticket codes, the year pages and the subsidy's year that read the dates later.
            value = getattr(self, name)
            try:
                validate_plausible_date(value.date() if value else None)
            except ValidationError as error:
                errors[name] = error.messages[0]
        if errors:
            raise ValidationError(errors)
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

    event = ref(Event, _("event"), "agenda", on_delete=models.CASCADE)
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=20, choices=AgendaKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    people = models.ManyToManyField(
        "directory.Person", verbose_name=_("people"), blank=True, related_name="agenda_items"
    )
    committee = ref("committee.Committee", _("committee"), "agenda_items", null=True, blank=True)
    policy = ref("policies.PolicyDocument", _("policy"), "agenda_items", null=True, blank=True)
    batch = ref("bases.Batch", _("training-base batch"), "agenda_items", null=True, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["event", "order"]
        constraints = [
            unique(
                "events_agenda_unique_order",
                "event",
                "order",
                message=_("Two agenda items of an event share this position."),
            ),
            valid_choice(
                "events_agenda_kind_valid", "kind", AgendaKind, _("Unknown kind of agenda item.")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event}: {self.title}"


class Speaker(models.Model):
    """Who speaks or teaches: a committee expert (linked to the seat) or someone else by name."""

    event = ref(Event, _("event"), "speakers", on_delete=models.CASCADE)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    member = ref("committee.CommitteeMember", _("committee expert"), "talks", null=True, blank=True)
    name = models.CharField(_("full name"), max_length=100, blank=True)
    title = models.CharField(_("office or title"), max_length=200, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["event", "order", "pk"]
        constraints = [
            check(
                "events_speaker_named",
                Q(member__isnull=False) | ~Q(name=""),
                _("Choose a committee expert or give a name."),
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

    event = ref(Event, _("event"), "materials", on_delete=models.CASCADE)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="materials/%Y/%m/")

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["event", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title
