"""Training bases: leading enterprises designated, batch by batch, to host training."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.core.numerals import chinese_number


class BaseStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REMOVED = "removed", _("Removed")


class CapabilityKind(models.TextChoices):
    COURSE = "course", _("Course")
    SITE_VISIT = "site_visit", _("Site visit")
    PRACTICE = "practice", _("Hands-on practice")


class Batch(models.Model):
    """A numbered batch of designations (第一批 …), awarded their plaques on one date."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    designated_on = models.DateField(_("plaque date"))
    designation_event = models.ForeignKey(
        "events.Event",
        verbose_name=_("designation event"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="batches_designated",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="bases_batch_number_positive",
                violation_error_message=_("Batches are numbered from 1."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """第一批 in Chinese, "Batch 1" in English."""
        return gettext("Batch %(number)s") % {"number": chinese_number(self.number)}


class TrainingBaseQuerySet(models.QuerySet):
    def listed(self) -> TrainingBaseQuerySet:
        """Bases shown to the public: designated and not removed."""
        return self.exclude(status=BaseStatus.REMOVED)

    def managed_by(self, user) -> TrainingBaseQuerySet:
        """What a user may edit: any base for administrators, their own for base managers."""
        from zhibiao.accounts.models import Role
        from zhibiao.accounts.permissions import is_district_admin

        if is_district_admin(user):
            return self
        if user.is_authenticated and user.role == Role.BASE_MANAGER and user.organisation_id:
            return self.filter(organisation_id=user.organisation_id)
        return self.none()


class TrainingBase(models.Model):
    """The designation of an enterprise as a training base in a batch, and its current status."""

    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="training_bases",
    )
    batch = models.ForeignKey(
        Batch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="bases"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=BaseStatus.choices, default=BaseStatus.ACTIVE
    )
    description = models.TextField(_("description"), blank=True)

    objects = TrainingBaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("training base")
        verbose_name_plural = _("training bases")
        ordering = ["batch__number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=~Q(status="removed"),
                name="bases_one_live_designation_per_org",
                violation_error_message=_("This enterprise is already a training base."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=BaseStatus.values),
                name="bases_base_status_valid",
                violation_error_message=_("Unknown status."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)

    def get_absolute_url(self) -> str:
        return reverse("bases:detail", args=[self.pk])

    def clean(self) -> None:
        from zhibiao.directory.models import OrganisationKind

        if self.organisation_id and self.organisation.kind != OrganisationKind.ENTERPRISE:
            raise ValidationError(
                {"organisation": gettext("Only enterprises can be designated training bases.")}
            )

    @property
    def plaque_date(self):
        return self.batch.designated_on


class Capability(models.Model):
    """Something a base can teach or show: a course, a site visit, hands-on practice."""

    base = models.ForeignKey(
        TrainingBase,
        verbose_name=_("training base"),
        on_delete=models.CASCADE,
        related_name="capabilities",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CapabilityKind.choices)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")
        ordering = ["base", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["base", "title"],
                name="bases_capability_unique_title",
                violation_error_message=_("This base already lists a capability with this title."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=CapabilityKind.values),
                name="bases_capability_kind_valid",
                violation_error_message=_("Unknown kind of capability."),
            ),
        ]

    def __str__(self) -> str:
        return self.title
