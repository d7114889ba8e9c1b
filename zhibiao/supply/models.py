"""The supply platform: services offered, demands posted, offers made to candidates.

A candidate for a demand is an offering (of an institution, a training base or an expert) or
a committee expert directly; an offer records that a candidate was put to a demand and how it
answered. Nothing is deleted: steps are rows, files are kept, ratings stay.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import acts_for, is_district_admin
from zhibiao.core.files import StoredFile
from zhibiao.core.modelfields import check, created_field, ref, unique, updated_field, user_ref
from zhibiao.core.permissions import RestrictedQuerySet
from zhibiao.core.workflow import StepRecord, revision_field, status_field, status_fields


class Category(models.TextChoices):
    DRAFTING = "drafting", _("Standard drafting")
    TESTING = "testing", _("Testing")
    CERTIFICATION = "certification", _("Certification")
    METROLOGY = "metrology", _("Metrology and calibration")
    DIAGNOSIS = "diagnosis", _("Quality diagnosis")
    BRAND = "brand", _("Brand building")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


class PriceModel(models.TextChoices):
    FREE = "free", _("Free")
    PUBLIC = "public", _("Public-interest")
    PAID = "paid", _("Paid")


class Urgency(models.TextChoices):
    LOW = "low", _("Not urgent")
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class DemandStatus(models.TextChoices):
    POSTED = "posted", _("Posted")
    MATCHED = "matched", _("Matched")
    ACCEPTED = "accepted", _("Accepted")
    IN_SERVICE = "in_service", _("In service")
    DELIVERED = "delivered", _("Delivered")
    RATED = "rated", _("Rated")
    CANCELLED = "cancelled", _("Cancelled")


#: Named sets of states, shared by the demand list and the dashboard's figures.
STATUS_GROUPS = {
    "open": (_("Open"), ["posted", "matched", "accepted", "in_service"]),
    "served": (_("Served (delivered or rated)"), ["delivered", "rated"]),
}


class Channel(models.TextChoices):
    ONLINE = "online", _("Online, by the enterprise")
    PHONE = "phone", _("By telephone")
    VISIT = "visit", _("During a visit")


def _one_of(first: str, second: str) -> Q:
    """Exactly one of two nullable foreign keys is set (a provider, a candidate)."""
    return (Q(**{f"{first}__isnull": False}) & Q(**{f"{second}__isnull": True})) | (
        Q(**{f"{first}__isnull": True}) & Q(**{f"{second}__isnull": False})
    )


class OfferingQuerySet(RestrictedQuerySet):
    def _public(self, user) -> OfferingQuerySet:
        """The catalogue is public (an inactive offering's page only its editors open: the
        page decides, as it reads the offering's state)."""
        return self

    def _managed_by(self, user) -> OfferingQuerySet:
        """What a user may edit: their organisation's, their own as an expert; all for staff."""
        if is_district_admin(user):
            return self
        if not user.is_authenticated:
            return self.none()
        condition = Q(expert=user)
        if user.organisation_id and user.role in (Role.PROVIDER, Role.BASE_MANAGER):
            condition |= Q(organisation_id=user.organisation_id)
        return self.filter(condition)

    actions = {"view": _public, "manage": _managed_by}


class Offering(models.Model):
    """A service published in the catalogue, by an organisation or by an expert."""

    organisation = ref("directory.Organisation", _("provider"), "offerings", null=True, blank=True)
    expert = user_ref(_("expert"), "offerings", null=True, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"))
    price_model = models.CharField(_("price"), max_length=10, choices=PriceModel.choices)
    indicative_price = models.DecimalField(
        _("indicative price (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    towns = models.JSONField(
        _("towns served"), default=list, blank=True, help_text=_("Empty: the whole district.")
    )
    industries = models.JSONField(
        _("industries served"),
        default=list,
        blank=True,
        help_text=_("GB/T 4754 sections or divisions, such as C or C27; empty: any."),
    )
    turnaround_days = models.PositiveSmallIntegerField(
        _("typical turnaround (days)"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    qualifications = models.TextField(
        _("qualifications"), blank=True, help_text=_("For example CMA or CNAS numbers.")
    )
    is_active = models.BooleanField(_("listed"), default=True)
    words = models.TextField(_("words for matching"), blank=True, editable=False)
    created_at = created_field()
    updated_at = updated_field()

    objects = OfferingQuerySet.as_manager()

    class Meta:
        verbose_name = _("service offering")
        verbose_name_plural = _("service offerings")
        ordering = ["category", "title", "pk"]
        indexes = [models.Index(fields=["category", "is_active"], name="supply_offering_category")]
        constraints = [
            check(
                "supply_offering_one_provider",
                _one_of("organisation", "expert"),
                _("An offering belongs to an organisation or an expert."),
            ),
            check(
                "supply_offering_price_not_negative",
                Q(indicative_price__isnull=True) | Q(indicative_price__gte=0),
                _("A price cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("supply:offering", args=[self.pk])

    @property
    def provider_name(self) -> str:
        return str(self.organisation or self.expert)


class DemandQuerySet(RestrictedQuerySet):
    def _visible_to(self, user) -> DemandQuerySet:
        """Staff see all; an enterprise's users its own; a candidate the demands put to it,
        until it declines (the enterprise's description and files were shared for the offer,
        not for good).

        An expert sees the demands put to them, never their employer's as its own: they do
        not act for it (`acts_for`)."""
        if is_district_admin(user):
            return self
        if not user.is_authenticated:
            return self.none()
        live = [Offer.Response.PENDING, Offer.Response.ACCEPTED]
        condition = Q(offers__expert=user, offers__response__in=live) | Q(
            offers__offering__expert=user, offers__response__in=live
        )
        organisation_id = acts_for(user)
        if organisation_id is not None:
            condition |= Q(enterprise_id=organisation_id)
            if user.role in (Role.PROVIDER, Role.BASE_MANAGER):
                condition |= Q(
                    offers__offering__organisation_id=organisation_id, offers__response__in=live
                )
        return self.filter(condition).distinct()

    actions = {"view": _visible_to}


class Demand(models.Model):
    """An enterprise's need, posted by itself or by staff on its behalf."""

    enterprise = ref("directory.Organisation", _("enterprise"), "demands")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("description"))
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    desired_date = models.DateField(_("wanted by"), null=True, blank=True)
    channel = models.CharField(
        _("received"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    status = status_field(DemandStatus, DemandStatus.POSTED, max_length=12)
    posted_by = user_ref(_("posted by"))
    posted_at = models.DateTimeField(_("posted at"), default=timezone.now)
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    due_at = models.DateTimeField(_("delivery due"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("rating comment"), blank=True)
    overdue_notified = models.BooleanField(_("overdue notice sent"), default=False)
    revision = revision_field()

    objects = DemandQuerySet.as_manager()

    class Meta:
        verbose_name = _("service demand")
        verbose_name_plural = _("service demands")
        ordering = ["-posted_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "category"], name="supply_demand_status"),
            # The list's order: its first page is read from here, not sorted from every row
            # (issue 14: 200,000 demands, EXPLAIN ANALYZE 75 ms of top-N sort).
            models.Index(fields=["-posted_at", "-id"], name="supply_demand_newest"),
        ]
        constraints = [
            check(
                "supply_demand_rating_range",
                Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
                _("A rating is from 1 to 5."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.enterprise}"

    def get_absolute_url(self) -> str:
        return reverse("supply:demand", args=[self.pk])

    @property
    def current_offer(self) -> Offer | None:
        return self.offers.exclude(response=Offer.Response.DECLINED).order_by("-pk").first()

    def response_overdue(self, now: datetime.datetime | None = None) -> bool:
        """Matched and nobody answered within the response time."""
        now = now or timezone.now()
        limit = datetime.timedelta(hours=settings.SUPPLY_RESPONSE_HOURS)
        return bool(
            self.status == DemandStatus.MATCHED
            and self.matched_at
            and now - self.matched_at > limit
        )

    def delivery_overdue(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return bool(
            self.status in (DemandStatus.ACCEPTED, DemandStatus.IN_SERVICE)
            and self.due_at
            and now > self.due_at
        )


class Offer(models.Model):
    """A candidate put to a demand (by staff, or picked by the enterprise) and its answer."""

    class Response(models.TextChoices):
        PENDING = "pending", _("Awaiting answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    demand = ref(Demand, _("demand"), "offers")
    offering = ref(Offering, _("offering"), "offers", null=True, blank=True)
    expert = user_ref(_("expert"), "offers", null=True, blank=True)
    made_by = user_ref(_("made by"))
    made_at = models.DateTimeField(_("made at"), auto_now_add=True)
    score = models.FloatField(_("match score"), default=0)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    response = models.CharField(
        _("answer"), max_length=10, choices=Response.choices, default=Response.PENDING
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["demand", "made_at"]
        constraints = [
            check(
                "supply_offer_one_candidate",
                _one_of("offering", "expert"),
                _("An offer goes to an offering or to an expert."),
            ),
            unique(
                "supply_offer_once_per_offering",
                "demand",
                "offering",
                message=_("This offering was already put to this demand."),
            ),
            unique(
                "supply_offer_once_per_expert",
                "demand",
                "expert",
                message=_("This expert was already put to this demand."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.demand} → {self.candidate_name}"

    @property
    def candidate_name(self) -> str:
        return str(self.offering.provider_name if self.offering_id else self.expert)


class Attachment(StoredFile):
    """A file with a demand (a drawing, a report to review), checked by content."""

    demand = ref(Demand, _("demand"), "attachments")
    file = models.FileField(_("file"), upload_to="demands/%Y/%m/")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class DemandStep(StepRecord):
    """One step of a demand's life: who, when, from which state to which, and why."""

    demand = ref(Demand, _("demand"), "steps")
    from_status, to_status = status_fields(DemandStatus)

    class Meta(StepRecord.Meta):
        ordering = ["demand", "at", "pk"]


class CandidateStats(models.Model):
    """Running figures per candidate, kept by the services so ranking needs no aggregation
    over past demands: ratings, answer times, work in hand."""

    offering = models.OneToOneField(
        Offering, on_delete=models.CASCADE, null=True, blank=True, related_name="stats"
    )
    expert = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="candidate_stats",
    )
    ratings = models.PositiveIntegerField(default=0)
    rating_total = models.PositiveIntegerField(default=0)
    answers = models.PositiveIntegerField(default=0)
    answer_seconds = models.PositiveBigIntegerField(default=0)
    open_work = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("candidate figures")
        verbose_name_plural = _("candidate figures")
        constraints = [
            check(
                "supply_stats_one_candidate",
                _one_of("offering", "expert"),
                _("Figures belong to an offering or to an expert."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offering or self.expert}"

    @property
    def average_rating(self) -> float | None:
        return self.rating_total / self.ratings if self.ratings else None
