"""Clauses of the measures, kept as data: a rule book per document, clauses, their versions,
and the results of screening the whole population against them.

A clause's content is the rules engine's clause (zhibiao/rules), stored as its YAML text;
every change is a new version, and published versions are never edited, so an application
stays bound to the version it was assessed under.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.permissions import is_district_admin
from zhibiao.core.modelfields import check, created_field, ref, unique, updated_field, user_ref
from zhibiao.core.permissions import RestrictedQuerySet
from zhibiao.policies.models import PolicyDocument


class Mode(models.TextChoices):
    """How an entitled enterprise gets the award."""

    AUTO = "auto", _("Without application (免申即享)")
    QUICK = "quick", _("Quick application (快申快享)")


class RuleBook(models.Model):
    """The rules of one measures document: caps across its clauses, near-miss threshold.

    Kept as YAML text, like each clause version, because the rule language has dates and the
    text is what staff read, edit and keep under version control.
    """

    document = models.OneToOneField(
        "policies.PolicyDocument",
        verbose_name=_("policy document"),
        on_delete=models.PROTECT,
        related_name="rulebook",
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    header = models.TextField(
        _("settings"),
        help_text=_(
            "The rule file's head in YAML: caps across clauses, the near-miss threshold, "
            "facts common to the examples."
        ),
    )
    updated_at = updated_field()

    class Meta:
        verbose_name, verbose_name_plural = _("rule book"), _("rule books")

    def __str__(self) -> str:
        return self.code


class ClauseQuerySet(RestrictedQuerySet):
    def _visible_to(self, user) -> ClauseQuerySet:
        """Clauses with a published version of a document the user may see are public; drafts,
        and the clauses of an unpublished document, only for administrators."""
        if is_district_admin(user):
            return self
        return self.filter(
            rulebook__document__in=PolicyDocument.objects.restrict(user, "view"),
            versions__published_at__isnull=False,
        ).distinct()

    actions = {"view": _visible_to}


class Clause(models.Model):
    """The identity of a clause (its code); what it says is in its versions."""

    rulebook = ref(RuleBook, _("rule book"), "clauses")
    code = models.CharField(_("code"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    mode = models.CharField(_("how it is granted"), max_length=10, choices=Mode.choices)
    needs_review = models.BooleanField(
        _("expert review"),
        default=True,
        help_text=_("Applications under this clause are reviewed by committee experts."),
    )

    objects = ClauseQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("clause"), _("clauses")
        ordering = ["rulebook", "position", "code"]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("measures:clause", args=[self.code])


class VersionQuerySet(models.QuerySet):
    def published(self) -> VersionQuerySet:
        return self.filter(published_at__isnull=False)


class ClauseVersion(models.Model):
    """One version of a clause: its rule text (YAML, as the engine reads it) and, copied out
    for lists and queries, its title, category and period. Published versions never change,
    except that a newer version's start ends the older one's period."""

    clause = ref(Clause, _("clause"), "versions")
    number = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=40)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    source = models.TextField(_("rule text (YAML)"))
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = user_ref(_("created by"), null=True, blank=True)
    created_at = created_field()
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("clause version"), _("clause versions")
        ordering = ["clause", "-number"]
        constraints = [
            unique(
                "measures_version_unique_number",
                "clause",
                "number",
                message=_("This clause already has a version with this number."),
            ),
            check(
                "measures_version_period_ordered",
                Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                _("The end of the effective period precedes its start."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clause.code} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Screening(models.Model):
    """One run of the whole population against the published clauses, on a date."""

    as_of = models.DateField(_("as of"))
    job = models.OneToOneField(
        "jobs.Job", verbose_name=_("job"), on_delete=models.PROTECT, related_name="screening"
    )
    enterprises = models.PositiveIntegerField(_("enterprises screened"), default=0)
    entitled = models.PositiveIntegerField(_("enterprises entitled"), default=0)
    total = models.DecimalField(_("total amount"), max_digits=16, decimal_places=2, default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name, verbose_name_plural = _("screening"), _("screenings")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.as_of} #{self.pk}"


class Entitlement(models.Model):
    """An enterprise found entitled under a clause version by a screening (免申即享 list)."""

    screening = ref(Screening, _("screening"), "entitlements", on_delete=models.CASCADE)
    version = ref(ClauseVersion, _("clause version"), "entitlements")
    organisation = ref("directory.Organisation", _("enterprise"), "entitlements")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)

    class Meta:
        verbose_name, verbose_name_plural = _("entitlement"), _("entitlements")
        ordering = ["-amount", "organisation__name"]
        constraints = [
            unique(
                "measures_entitlement_once",
                "screening",
                "version",
                "organisation",
                message=_("This entitlement is already recorded."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.version}: {self.amount}"
