"""企业标准领跑者: evaluations per product category and year, indicators, entries, ranks."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import has_role
from zhibiao.core.attestation import Attested, Verification
from zhibiao.core.modelfields import check, created_field, ref, unique, year_field
from zhibiao.core.permissions import RestrictedQuerySet
from zhibiao.core.workflow import status_field


class IndicatorKind(models.TextChoices):
    BASIC = "basic", _("Basic (pass or fail)")
    CORE = "core", _("Core (graded)")
    INNOVATION = "innovation", _("Innovation")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class SchemeStatus(models.TextChoices):
    OPEN = "open", _("Open for entries")
    RANKED = "ranked", _("Ranked")


class SchemeQuerySet(RestrictedQuerySet):
    def _visible_to(self, user) -> SchemeQuerySet:
        """Evaluations, rankings and leader lists are public."""
        return self

    actions = {"view": _visible_to}


class LeaderScheme(models.Model):
    """One 领跑者 evaluation: a product category in a year, with its indicators."""

    product_category = models.CharField(_("product category"), max_length=100)
    year = year_field()
    title = models.CharField(_("title"), max_length=200)
    basis = models.CharField(
        _("basis standard"),
        max_length=80,
        blank=True,
        help_text=_("The national or industry standard whose thresholds the core indicators use."),
    )
    leader_count = models.PositiveSmallIntegerField(
        _("number of leaders"),
        default=3,
        help_text=_("How many of the best-ranked eligible entries become leaders."),
    )
    status = status_field(SchemeStatus, SchemeStatus.OPEN, max_length=10)
    ranked_at = models.DateTimeField(_("ranked at"), null=True, blank=True)
    created_at = created_field()

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("leader evaluation"), _("leader evaluations")
        ordering = ["-year", "product_category"]
        constraints = [
            unique(
                "standards_scheme_unique",
                "product_category",
                "year",
                message=_("This product category already has an evaluation in this year."),
            ),
            check(
                "standards_scheme_leaders_positive",
                Q(leader_count__gte=1),
                _("Name at least one leader."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("standards:scheme", args=[self.pk])


class Indicator(models.Model):
    """An indicator of an evaluation. Core indicators carry a unit, a direction and the
    national or industry threshold they are graded against."""

    scheme = ref(LeaderScheme, _("leader evaluation"), "indicators", on_delete=models.CASCADE)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=IndicatorKind.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, blank=True
    )
    threshold = models.DecimalField(
        _("threshold"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("The value the national or industry standard requires."),
    )
    threshold_source = models.CharField(_("threshold source"), max_length=80, blank=True)

    class Meta:
        verbose_name, verbose_name_plural = _("indicator"), _("indicators")
        ordering = ["scheme", "order", "pk"]
        constraints = [
            unique(
                "standards_indicator_unique",
                "scheme",
                "name",
                message=_("This evaluation already has an indicator of this name."),
            ),
            check(
                "standards_indicator_core_graded",
                ~Q(kind="core") | (~Q(direction="") & Q(threshold__isnull=False)),
                _("A core indicator needs a direction and a threshold."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.kind == IndicatorKind.CORE:
            if not self.unit:
                errors["unit"] = gettext("A core indicator needs a unit.")
            if not self.direction:
                errors["direction"] = gettext("Say whether higher or lower is better.")
            if self.threshold is None:
                errors["threshold"] = gettext("Give the national or industry threshold.")
        if errors:
            raise ValidationError(errors)


class EntryQuerySet(RestrictedQuerySet):
    def _visible_to(self, user) -> EntryQuerySet:
        return self

    def _editable_by(self, user) -> EntryQuerySet:

        if not has_role(user, Role.ENTERPRISE, Role.BASE_MANAGER) or not user.organisation_id:
            return self.none()
        return self.filter(enterprise_id=user.organisation_id)

    actions = {"view": _visible_to, "change": _editable_by}

    def leaders(self) -> EntryQuerySet:
        """The leaders as published: leading entries of ranked evaluations whose values stand
        verified (one rejected after the ranking is no longer shown as a leader)."""
        return self.filter(
            is_leader=True, scheme__status=SchemeStatus.RANKED, verification=Verification.VERIFIED
        )


class LeaderEntry(Attested):
    """An enterprise's product in an evaluation, with its indicator values and its result.

    The values are the enterprise's own (公开 in its self-declared standard) and a leader is
    paid (FX23-LEADER), so an entry is recorded by the enterprise and counts only once district
    staff have verified its values against the evidence (a test report): only verified entries
    are ranked, and only verified leaders are a fact the measures read (`Attested`).
    """

    scheme = ref(LeaderScheme, _("leader evaluation"), "entries", on_delete=models.CASCADE)
    enterprise = ref("directory.Organisation", _("enterprise"), "leader_entries")
    product = models.CharField(_("product"), max_length=200)
    declaration = ref(
        "standards.Declaration",
        _("self-declaration"),
        "leader_entries",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    eligible = models.BooleanField(_("eligible"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    is_leader = models.BooleanField(_("leader"), default=False)
    created_at = created_field()

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("leader entry"), _("leader entries")
        ordering = ["scheme", "rank", "pk"]
        constraints = [
            unique(
                "standards_entry_unique",
                "scheme",
                "enterprise",
                "product",
                message=_("This product is already entered."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.product}"


class EntryValue(models.Model):
    """An entry's value of one indicator: a number (core), pass/fail (basic), or a claim."""

    entry = ref(LeaderEntry, _("leader entry"), "values", on_delete=models.CASCADE)
    indicator = ref(Indicator, _("indicator"), "values", on_delete=models.CASCADE)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4, null=True, blank=True)
    passed = models.BooleanField(_("met"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name, verbose_name_plural = _("indicator value"), _("indicator values")
        constraints = [
            unique(
                "standards_value_unique",
                "entry",
                "indicator",
                message=_("This indicator already has a value."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value if self.value is not None else self.passed}"
