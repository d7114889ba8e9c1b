"""Training bases: leading enterprises designated, batch by batch, to host training.

A base's status changes only through recorded steps (StatusChange: suspension, reinstatement,
removal); a new base comes from an application (BaseApplication: submitted → review → approved
→ designated in a numbered batch with its plaque date); each year staff evaluate what a base
delivered (Evaluation, with the year's figures as they stood).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.core.numerals import chinese_number
from zhibiao.core.permissions import RestrictedQuerySet


class BaseStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REMOVED = "removed", _("Removed")


class EvaluationResult(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("Under review")
    APPROVED = "approved", _("Approved, awaiting the plaque")
    DESIGNATED = "designated", _("Designated")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


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


class TrainingBaseQuerySet(RestrictedQuerySet):
    def listed(self) -> TrainingBaseQuerySet:
        """Bases shown to the public: designated and not removed. A status, not a permission
        (it takes no user): who sees which base is the "view" action."""
        return self.exclude(status=BaseStatus.REMOVED)

    def _visible_to(self, user) -> TrainingBaseQuerySet:
        """Administrators see every base, removed ones included; everyone else the listed."""
        from zhibiao.accounts.permissions import is_district_admin

        return self if is_district_admin(user) else self.listed()

    def _managed_by(self, user) -> TrainingBaseQuerySet:
        """What a user may edit: any base for administrators, their own for base managers."""
        from zhibiao.accounts.models import Role
        from zhibiao.accounts.permissions import is_district_admin

        if is_district_admin(user):
            return self
        if user.is_authenticated and user.role == Role.BASE_MANAGER and user.organisation_id:
            return self.filter(organisation_id=user.organisation_id)
        return self.none()

    actions = {"view": _visible_to, "manage": _managed_by}


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
    #: Bumped by every status step; a step is a conditional update on (status, revision).
    revision = models.PositiveIntegerField(_("revision"), default=0)

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


class StatusChange(models.Model):
    """One step of a base's status (suspension, reinstatement, removal): who, when and why."""

    base = models.ForeignKey(
        TrainingBase,
        verbose_name=_("training base"),
        on_delete=models.PROTECT,
        related_name="status_changes",
    )
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=20, choices=BaseStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=BaseStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["base", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.base}: {self.from_status} → {self.to_status}"


class Evaluation(models.Model):
    """Staff's judgement of one base's year, with the figures it was based on."""

    base = models.ForeignKey(
        TrainingBase,
        verbose_name=_("training base"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    courses = models.PositiveIntegerField(_("courses held"), default=0)
    site_visits = models.PositiveIntegerField(_("site visits received"), default=0)
    attendees = models.PositiveIntegerField(_("attendees"), default=0)
    satisfaction = models.DecimalField(
        _("satisfaction (1–5)"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    responses = models.PositiveIntegerField(_("survey responses"), default=0)
    result = models.CharField(_("result"), max_length=10, choices=EvaluationResult.choices)
    comment = models.TextField(_("comment"), blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    evaluated_at = models.DateTimeField(_("evaluated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("yearly evaluation")
        verbose_name_plural = _("yearly evaluations")
        ordering = ["base", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["base", "year"],
                name="bases_evaluation_once_a_year",
                violation_error_message=_("This base's year has already been evaluated."),
            ),
            models.CheckConstraint(
                condition=Q(result__in=EvaluationResult.values),
                name="bases_evaluation_result_valid",
                violation_error_message=_("Unknown result."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.base} {self.year}: {self.get_result_display()}"


class BaseApplicationQuerySet(RestrictedQuerySet):
    def _visible_to(self, user) -> BaseApplicationQuerySet:
        """Staff see every application; an enterprise's users its own. A committee expert
        does not act for their employer (`acts_for`), so they see none of its applications."""
        from zhibiao.accounts.permissions import acts_for, is_district_admin

        if is_district_admin(user):
            return self
        organisation_id = acts_for(user)
        if organisation_id is None:
            return self.none()
        return self.filter(organisation_id=organisation_id)

    actions = {"view": _visible_to}


class BaseApplication(models.Model):
    """An enterprise's application to become a training base, up to its plaque."""

    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="base_applications",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    statement = models.TextField(_("why the enterprise should be a base"))
    offer = models.TextField(
        _("what it would teach or show"),
        help_text=_("Courses, site visits and hands-on practice it could offer."),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    batch = models.ForeignKey(
        Batch,
        verbose_name=_("batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    base = models.OneToOneField(
        TrainingBase,
        verbose_name=_("training base"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="application",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    #: Bumped by every step; a step is a conditional update on (status, revision).
    revision = models.PositiveIntegerField(_("revision"), default=0)

    objects = BaseApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("training-base application")
        verbose_name_plural = _("training-base applications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(status__in=["submitted", "in_review", "approved"]),
                name="bases_one_open_application_per_org",
                violation_error_message=_("This enterprise already has an open application."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values),
                name="bases_application_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=~Q(status="designated") | Q(base__isnull=False, batch__isnull=False),
                name="bases_designated_has_base",
                violation_error_message=_("A designation names its batch and base."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("bases:application", args=[self.pk])


class ApplicationStep(models.Model):
    """One step of an application to become a base: who, when, why."""

    application = models.ForeignKey(
        BaseApplication,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="steps",
    )
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=12, choices=ApplicationStatus.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("application step")
        verbose_name_plural = _("application steps")
        ordering = ["application", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.application}: {self.from_status} → {self.to_status}"
