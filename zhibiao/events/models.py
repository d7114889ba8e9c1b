"""Events: conferences, policy publicity sessions, courses and site visits, with their agenda."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.permissions import is_district_admin


class EventKind(models.TextChoices):
    CONFERENCE = "conference", _("Conference")
    PUBLICITY = "publicity", _("Policy publicity session")
    COURSE = "course", _("Course")
    SITE_VISIT = "site_visit", _("Site visit")


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


class EventQuerySet(models.QuerySet):
    def visible_to(self, user) -> EventQuerySet:
        """Public events for everyone; internal ones for district administrators only."""
        if is_district_admin(user):
            return self
        return self.filter(is_public=True)


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
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.pk])

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": gettext("An event must end after it starts.")})


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
