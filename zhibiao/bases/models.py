"""Training bases: leading enterprises designated, batch by batch, to host training.

A base's status changes only through recorded steps (BaseStep: suspension, reinstatement,
removal); a new base comes from a nomination, the enterprise's request to become one (Nomination:
submitted → review → approved → designated in a numbered batch with its plaque date; its steps
are NominationSteps); each year staff evaluate what a base delivered (Evaluation, with the
year's figures as they stood), and correct a mistaken evaluation with a reason
(EvaluationCorrection, which keeps the version it replaced).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import acts_for, is_district_admin
from zhibiao.core.modelfields import (
    check,
    created_field,
    ref,
    unique,
    user_ref,
    valid_choice,
    year_field,
)
from zhibiao.core.numerals import chinese_number
from zhibiao.core.permissions import RestrictedQuerySet
from zhibiao.core.workflow import StepRecord, revision_field, status_field, status_fields
from zhibiao.directory.models import OrganisationKind


class BaseStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REMOVED = "removed", _("Removed")


class EvaluationResult(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


class NominationStatus(models.TextChoices):
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
    designation_event = ref(
        "events.Event", _("designation event"), "batches_designated", null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["number"]
        constraints = [
            check(
                "bases_batch_number_positive", Q(number__gte=1), _("Batches are numbered from 1.")
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

        return self if is_district_admin(user) else self.listed()

    def _managed_by(self, user) -> TrainingBaseQuerySet:
        """What a user may edit: any base for administrators, their own listed ones for base
        managers (a removed base is no longer theirs to run: its page is a 404 to them)."""

        if is_district_admin(user):
            return self
        if user.is_authenticated and user.role == Role.BASE_MANAGER and user.organisation_id:
            return self.listed().filter(organisation_id=user.organisation_id)
        return self.none()

    actions = {"view": _visible_to, "manage": _managed_by}


class TrainingBase(models.Model):
    """The designation of an enterprise as a training base in a batch, and its current status."""

    organisation = ref("directory.Organisation", _("enterprise"), "training_bases")
    batch = ref(Batch, _("batch"), "bases")
    status = status_field(BaseStatus, BaseStatus.ACTIVE)
    description = models.TextField(_("description"), blank=True)
    revision = revision_field()

    objects = TrainingBaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("training base")
        verbose_name_plural = _("training bases")
        ordering = ["batch__number", "pk"]
        constraints = [
            unique(
                "bases_one_live_designation_per_org",
                "organisation",
                condition=~Q(status="removed"),
                message=_("This enterprise is already a training base."),
            ),
            valid_choice("bases_base_status_valid", "status", BaseStatus, _("Unknown status.")),
        ]

    def __str__(self) -> str:
        return str(self.organisation)

    def get_absolute_url(self) -> str:
        return reverse("bases:detail", args=[self.pk])

    def clean(self) -> None:

        if self.organisation_id and self.organisation.kind != OrganisationKind.ENTERPRISE:
            raise ValidationError(
                {"organisation": gettext("Only enterprises can be designated training bases.")}
            )

    @property
    def plaque_date(self):
        return self.batch.designated_on


class Capability(models.Model):
    """Something a base can teach or show: a course, a site visit, hands-on practice."""

    base = ref(TrainingBase, _("training base"), "capabilities", on_delete=models.CASCADE)
    kind = models.CharField(_("kind"), max_length=20, choices=CapabilityKind.choices)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")
        ordering = ["base", "kind", "pk"]
        constraints = [
            unique(
                "bases_capability_unique_title",
                "base",
                "title",
                message=_("This base already lists a capability with this title."),
            ),
            valid_choice(
                "bases_capability_kind_valid",
                "kind",
                CapabilityKind,
                _("Unknown kind of capability."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class BaseStep(StepRecord):
    """One step of a base's status (suspension, reinstatement, removal): who, when and why."""

    base = ref(TrainingBase, _("training base"), "steps")
    from_status, to_status = status_fields(BaseStatus)

    class Meta(StepRecord.Meta):
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["base", "at", "pk"]


class Evaluation(models.Model):
    """Staff's judgement of one base's year, with the figures it was based on."""

    base = ref(TrainingBase, _("training base"), "evaluations")
    year = year_field()
    courses = models.PositiveIntegerField(_("courses held"), default=0)
    site_visits = models.PositiveIntegerField(_("site visits received"), default=0)
    attendees = models.PositiveIntegerField(_("attendees"), default=0)
    satisfaction = models.DecimalField(
        _("satisfaction (1–5)"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    responses = models.PositiveIntegerField(_("survey responses"), default=0)
    result = models.CharField(_("result"), max_length=10, choices=EvaluationResult.choices)
    comment = models.TextField(_("comment"), blank=True)
    evaluated_by = user_ref(_("evaluated by"))
    evaluated_at = models.DateTimeField(_("evaluated at"), auto_now_add=True)
    revision = revision_field()  # each correction bumps it: a stale page's is refused

    class Meta:
        verbose_name = _("yearly evaluation")
        verbose_name_plural = _("yearly evaluations")
        ordering = ["base", "-year"]
        constraints = [
            unique(
                "bases_evaluation_once_a_year",
                "base",
                "year",
                message=_("This base's year has already been evaluated."),
            ),
            valid_choice(
                "bases_evaluation_result_valid", "result", EvaluationResult, _("Unknown result.")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.base} {self.year}: {self.get_result_display()}"


class EvaluationCorrection(models.Model):
    """A correction of a recorded evaluation: the version it replaced and the one it made, who
    corrected it, when and why. The evaluation itself always holds its current version, so what
    reads it (the measures' `base_evaluation`, the year's page) follows a correction as it
    follows a first evaluation; its corrections, oldest first, are its earlier versions."""

    evaluation = ref(Evaluation, _("yearly evaluation"), "corrections")
    from_result = models.CharField(
        _("result before"), max_length=10, choices=EvaluationResult.choices
    )
    to_result = models.CharField(_("result after"), max_length=10, choices=EvaluationResult.choices)
    from_comment = models.TextField(_("comment before"), blank=True)
    to_comment = models.TextField(_("comment after"), blank=True)
    reason = models.TextField(_("reason"))
    corrected_by = user_ref(_("corrected by"))
    corrected_at = models.DateTimeField(_("corrected at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation correction")
        verbose_name_plural = _("evaluation corrections")
        ordering = ["evaluation", "corrected_at", "pk"]
        constraints = [
            check(
                "bases_correction_has_reason",
                ~Q(reason=""),
                _("Say why the evaluation is corrected."),
            ),
            valid_choice(
                "bases_correction_from_result_valid",
                "from_result",
                EvaluationResult,
                _("Unknown result."),
            ),
            valid_choice(
                "bases_correction_to_result_valid",
                "to_result",
                EvaluationResult,
                _("Unknown result."),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.evaluation}: {self.get_from_result_display()} → {self.get_to_result_display()}"
        )


class NominationQuerySet(RestrictedQuerySet):
    def _visible_to(self, user) -> NominationQuerySet:
        """Staff see every nomination; an enterprise's users its own. A committee expert does
        not act for their employer (`acts_for`), so they see none of its nominations."""

        if is_district_admin(user):
            return self
        organisation_id = acts_for(user)
        if organisation_id is None:
            return self.none()
        return self.filter(organisation_id=organisation_id)

    actions = {"view": _visible_to}


class Nomination(models.Model):
    """An enterprise's request to become a training base (its "application", in the users'
    words), up to its plaque. Not an `applications.Application`, which claims a subsidy."""

    organisation = ref("directory.Organisation", _("enterprise"), "nominations")
    applicant = user_ref(_("applicant"))
    statement = models.TextField(_("why the enterprise should be a base"))
    offer = models.TextField(
        _("what it would teach or show"),
        help_text=_("Courses, site visits and hands-on practice it could offer."),
    )
    status = status_field(NominationStatus, NominationStatus.SUBMITTED, max_length=12)
    batch = ref(Batch, _("batch"), "nominations", null=True, blank=True)
    base = models.OneToOneField(
        TrainingBase,
        verbose_name=_("training base"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nomination",
    )
    created_at = created_field()
    revision = revision_field()

    objects = NominationQuerySet.as_manager()

    class Meta:
        verbose_name = _("training-base application")
        verbose_name_plural = _("training-base applications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            unique(
                "bases_one_open_application_per_org",
                "organisation",
                condition=Q(status__in=["submitted", "in_review", "approved"]),
                message=_("This enterprise already has an open application."),
            ),
            valid_choice(
                "bases_application_status_valid", "status", NominationStatus, _("Unknown status.")
            ),
            check(
                "bases_designated_has_base",
                ~Q(status="designated") | Q(base__isnull=False, batch__isnull=False),
                _("A designation names its batch and base."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("bases:nomination", args=[self.pk])


class NominationStep(StepRecord):
    """One step of a nomination: who, when, why."""

    nomination = ref(Nomination, _("application"), "steps")
    from_status, to_status = status_fields(NominationStatus)

    class Meta(StepRecord.Meta):
        verbose_name = _("application step")
        verbose_name_plural = _("application steps")
        ordering = ["nomination", "at", "pk"]
