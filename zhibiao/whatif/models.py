"""Scenarios of the measures: draft versions of clauses weighed before publication, and the
yearly budgets their cost is held against.

A scenario lives beside the measures, never in them: its drafts are not clause versions, so
nothing an enterprise sees or is entitled to changes until a scenario is published, which
creates the versions through the measures' own publication (zhibiao.measures.services).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.permissions import is_district_admin
from zhibiao.core.modelfields import (
    check,
    created_field,
    ref,
    unique,
    updated_field,
    user_ref,
    valid_choice,
    year_field,
)
from zhibiao.core.permissions import RestrictedQuerySet
from zhibiao.core.workflow import StepRecord, revision_field, status_field, status_fields


class ScenarioStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SAVED = "saved", _("Saved")
    PUBLISHED = "published", _("Published")


class StaffOnlyQuerySet(RestrictedQuerySet):
    """Scenarios and budgets are the district's deliberation: staff only, for every action."""

    def _staff(self, user) -> StaffOnlyQuerySet:
        return self if is_district_admin(user) else self.none()

    actions = {"view": _staff, "change": _staff}


class Scenario(models.Model):
    """Draft versions of one rule book's clauses, weighed together.

    Edited while a draft (every edit is conditional on `revision`, so two staff editing at once
    cannot overwrite each other); saving keeps the comment and the figures as they stood and
    freezes it; publishing creates the clause versions.
    """

    rulebook = ref("measures.RuleBook", _("rule book"), "scenarios")
    title = models.CharField(_("title"), max_length=120)
    comment = models.TextField(_("comment"), blank=True)
    author = user_ref(_("author"))
    status = status_field(ScenarioStatus, ScenarioStatus.DRAFT)
    revision = revision_field(editable=False)
    figures = models.JSONField(_("figures as saved"), default=dict, blank=True)
    created_at = created_field()
    updated_at = updated_field()
    saved_at = models.DateTimeField(_("saved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("scenario"), _("scenarios")
        ordering = ["-created_at", "-pk"]
        constraints = [
            valid_choice(
                "whatif_scenario_status_valid",
                "status",
                ScenarioStatus,
                _("Unknown state of a scenario."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("whatif:scenario", args=[self.pk])

    @property
    def editable(self) -> bool:
        return self.status == ScenarioStatus.DRAFT


class ScenarioStep(StepRecord):
    """One step of a scenario (saved, published): who, when and why."""

    scenario = ref(Scenario, _("scenario"), "steps", on_delete=models.CASCADE)
    from_status, to_status = status_fields(ScenarioStatus)

    class Meta(StepRecord.Meta):
        ordering = ["scenario", "at", "pk"]


class Draft(models.Model):
    """The draft of one clause in a scenario: its edited rule text (the next version, or a new
    clause), or its removal."""

    scenario = ref(Scenario, _("scenario"), "drafts", on_delete=models.CASCADE)
    clause = ref("measures.Clause", _("clause"), "scenario_drafts", null=True, blank=True)
    code = models.CharField(_("code"), max_length=40)
    text = models.TextField(_("rule text (YAML)"), blank=True)
    removed = models.BooleanField(_("removed"), default=False)
    updated_by = user_ref(_("updated by"))
    updated_at = updated_field()

    class Meta:
        verbose_name, verbose_name_plural = _("draft"), _("drafts")
        ordering = ["scenario", "code"]
        constraints = [
            unique(
                "whatif_draft_once_per_clause",
                "scenario",
                "code",
                message=_("This scenario already has a draft of this clause."),
            ),
            check(
                "whatif_draft_removes_existing",
                Q(removed=False) | Q(clause__isnull=False),
                _("Only an existing clause can be removed."),
            ),
            check(
                "whatif_draft_has_text",
                Q(removed=True) | ~Q(text=""),
                _("A draft that does not remove its clause needs its rule text."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scenario}: {self.code}"

    def clean(self) -> None:
        if self.removed and self.clause_id is None:
            raise ValidationError({"removed": gettext("Only an existing clause can be removed.")})
        if not self.removed and not self.text.strip():
            raise ValidationError(
                {"text": gettext("A draft that does not remove its clause needs its rule text.")}
            )


#: The largest budget: a trillion yuan, far above any district's. The column holds more, but
#: SQLite keeps a decimal as a float and reads it back through 15 significant digits: a budget
#: of 99,999,999,999,999.99 came back as 10^14, past the column's 16 digits, and every page
#: reading the rule book's budgets (the budgets, each scenario's impact) was a server error.
BUDGET_MAX = Decimal("999999999999.99")


class Budget(models.Model):
    """The yearly budget of a rule book, or of one of its clauses, that projections are held
    against."""

    rulebook = ref("measures.RuleBook", _("rule book"), "budgets")
    clause = ref("measures.Clause", _("clause"), "budgets", null=True, blank=True)
    year = year_field()
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=16,
        decimal_places=2,
        validators=[MaxValueValidator(BUDGET_MAX)],
    )
    set_by = user_ref(_("set by"))
    updated_at = updated_field()

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("budget"), _("budgets")
        ordering = ["rulebook", "-year", "clause"]
        constraints = [
            unique(
                "whatif_budget_once_per_book",
                "rulebook",
                "year",
                condition=Q(clause__isnull=True),
                message=_("This rule book already has a budget for this year."),
            ),
            unique(
                "whatif_budget_once_per_clause",
                "rulebook",
                "year",
                "clause",
                condition=Q(clause__isnull=False),
                message=_("This clause already has a budget for this year."),
            ),
            check(
                "whatif_budget_not_negative",
                Q(amount__gte=0),
                _("A budget cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        where = self.clause.code if self.clause_id else str(self.rulebook)
        return f"{where} {self.year}: {self.amount}"

    def clean(self) -> None:
        if self.clause_id and self.clause.rulebook_id != self.rulebook_id:
            raise ValidationError({"clause": gettext("The clause is not in this rule book.")})
