"""An application under a clause version, its steps, evidence, reviews and objections.

Nothing here is ever deleted: a step is a new row, replaced evidence is superseded, a
withdrawn or rejected application stays on file.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import is_district_admin
from zhibiao.core.files import StoredFile
from zhibiao.core.modelfields import (
    check,
    created_field,
    ref,
    unique,
    updated_field,
    user_ref,
    year_field,
)
from zhibiao.core.objections import ObjectionRecord
from zhibiao.core.permissions import RestrictedQuerySet
from zhibiao.core.workflow import StepRecord, revision_field, status_field, status_fields


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    IN_REVIEW = "in_review", _("Expert review")
    PUBLICITY = "publicity", _("Public notice")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    DISBURSED = "disbursed", _("Disbursed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: Named sets of states: a list filters by them and the dashboard counts them, so that a figure
#: and the list behind it select the same applications.
STATUS_GROUPS = {
    "active": (
        _("Submitted, in any later state"),
        ["submitted", "returned", "in_review", "publicity", "approved", "rejected", "disbursed"],
    ),
    "in_progress": (_("In progress"), ["submitted", "returned", "in_review", "publicity"]),
    "granted": (_("Approved or disbursed"), ["approved", "disbursed"]),
}


class Channel(models.TextChoices):
    AUTO = "auto", _("Without application (免申即享)")
    QUICK = "quick", _("Quick application (快申快享)")


class ApplicationQuerySet(RestrictedQuerySet):
    def _visible_to(self, user) -> ApplicationQuerySet:
        """Staff see all; an enterprise its own; an expert those assigned to them."""
        if is_district_admin(user):
            return self
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.EXPERT:
            return self.filter(reviews__reviewer=user).distinct()
        if user.organisation_id:
            return self.filter(enterprise_id=user.organisation_id)
        return self.none()

    actions = {"view": _visible_to}


class Application(models.Model):
    """A request (or, 免申即享, a confirmation) for the award of one clause version."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    enterprise = ref("directory.Organisation", _("enterprise"), "applications")
    clause = ref("measures.Clause", _("clause"), "applications")
    version = ref("measures.ClauseVersion", _("clause version"), "applications")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = status_field(Status, Status.DRAFT)
    year = year_field()
    project = models.CharField(_("project"), max_length=100, blank=True)
    statement = models.TextField(_("statement"), blank=True)
    amount_assessed = models.DecimalField(
        _("amount assessed"), max_digits=14, decimal_places=2, default=0
    )
    amount_approved = models.DecimalField(
        _("amount approved"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    assessment = models.JSONField(_("assessment"), default=dict, blank=True)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    publicity_ends_at = models.DateTimeField(_("public notice ends"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    created_by = user_ref(_("created by"))
    created_at = created_field()
    updated_at = updated_field()
    revision = revision_field()

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "clause"], name="applications_status_clause"),
            # The list's order: its first page is read from here, not sorted from every row
            # (issue 14: 200,000 applications, EXPLAIN ANALYZE 79 ms of top-N sort).
            models.Index(fields=["-created_at", "-id"], name="applications_newest"),
        ]
        constraints = [
            unique(
                "applications_one_live_per_project",
                "enterprise",
                "clause",
                "year",
                "project",
                condition=~Q(status__in=["withdrawn", "rejected"]),
                message=_(
                    "This enterprise already has an application for this clause, project and year."
                ),
            ),
            check(
                "applications_amount_not_negative",
                Q(amount_assessed__gte=0),
                _("Amounts cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("applications:detail", args=[self.pk])


class ApplicationStep(StepRecord):
    """One step of an application: who moved it from which state to which, when and why."""

    application = ref(Application, _("application"), "steps")
    from_status, to_status = status_fields(Status)

    class Meta(StepRecord.Meta):
        ordering = ["application", "at", "pk"]


class Evidence(StoredFile):
    """A file supporting an application; a newer file for the same item supersedes it."""

    application = ref(Application, _("application"), "evidence")
    item = models.CharField(_("evidence item"), max_length=200)
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/")
    superseded_by = ref("self", _("superseded by"), "+", null=True, blank=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["application", "item", "-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.item}: {self.original_name}"


class Recommendation(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


class Review(models.Model):
    """One committee expert's assessment of an application: score, recommendation, comment."""

    application = ref(Application, _("application"), "reviews")
    reviewer = user_ref(_("reviewer"), "reviews")
    assigned_by = user_ref(_("assigned by"))
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    recommendation = models.CharField(
        _("recommendation"), max_length=10, choices=Recommendation.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["application", "assigned_at"]
        constraints = [
            unique(
                "applications_review_once_per_expert",
                "application",
                "reviewer",
                message=_("This expert already reviews this application."),
            ),
            check(
                "applications_review_score_range",
                Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                _("A score is between 0 and 100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.reviewer}"


class Objection(ObjectionRecord):
    """An objection raised during the public notice, and how staff resolved it."""

    application = ref(Application, _("application"), "objections")

    class Meta(ObjectionRecord.Meta):
        ordering = ["application", "filed_at"]

    def __str__(self) -> str:
        return f"{self.application}: {self.text[:30]}"
