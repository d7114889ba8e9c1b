"""The catalogue of standards, the links between editions and the search index of titles."""

from __future__ import annotations

import contextlib

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao import stdcodes
from zhibiao.accounts.permissions import is_district_admin
from zhibiao.core.modelfields import check, ref, unique, valid_choice, year_field
from zhibiao.core.permissions import RestrictedQuerySet
from zhibiao.core.standard_codes import code_problem


class Level(models.TextChoices):
    """国际/国家/行业/地方/团体/企业, decided by the code's prefix (see zhibiao.stdcodes)."""

    INTERNATIONAL = "international", _("International")
    NATIONAL = "national", _("National")
    INDUSTRY = "industry", _("Industry")
    LOCAL = "local", _("Local")
    GROUP = "group", _("Group")
    ENTERPRISE = "enterprise", _("Enterprise")


#: stdcodes' Chinese level names → stored values.
LEVEL_OF = {
    stdcodes.Level.INTERNATIONAL: Level.INTERNATIONAL,
    stdcodes.Level.NATIONAL: Level.NATIONAL,
    stdcodes.Level.INDUSTRY: Level.INDUSTRY,
    stdcodes.Level.LOCAL: Level.LOCAL,
    stdcodes.Level.GROUP: Level.GROUP,
    stdcodes.Level.ENTERPRISE: Level.ENTERPRISE,
}


class Status(models.TextChoices):
    CURRENT = "current", _("In force")
    UPCOMING = "upcoming", _("Not yet in force")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUPERSEDED = "superseded", _("Superseded")


#: Search ranks current standards first, then those about to apply, then the old ones.
STATUS_RANK = {Status.CURRENT: 0, Status.UPCOMING: 1, Status.SUPERSEDED: 2, Status.WITHDRAWN: 3}


class CatalogueSource(models.TextChoices):
    NMPA = "nmpa", _("NIFDC medical-device standards catalogue")
    SPORTS = "sports", _("Sport and leisure standards catalogue")
    ANNOUNCEMENT = "announcement", _("NMPA announcement of industry standards")
    IMPORT = "import", _("Imported")
    GROUP = "group", _("Published by a chamber")
    MANUAL = "manual", _("Entered by hand")
    SYNTHETIC = "synthetic", _("Synthetic (benchmark)")


class StandardQuerySet(RestrictedQuerySet):
    """The catalogue is public: everyone may read it, only district administrators change it."""

    def _visible_to(self, user) -> StandardQuerySet:
        return self

    def _editable_by(self, user) -> StandardQuerySet:

        return self if is_district_admin(user) else self.none()

    actions = {"view": _visible_to, "change": _editable_by}


def search_key(code: str) -> str:
    """The compact upper-case form that prefix search compares: ``GB/T42061-2022``.

    Spaces go (users type ``GBT 42061`` and ``GB/T42061`` alike); every other character
    stays, so ``16886.1`` and ``168861`` remain different numbers.
    """
    return "".join(stdcodes.fold(code).split()).upper()


class Standard(models.Model):
    """One edition of a standard, as the catalogue knows it.

    ``code`` is canonical (zhibiao.stdcodes), so two spellings of one edition are one row;
    ``base`` (code without year) groups the editions of one standard, which is how newer
    editions are found when no explicit replacement is recorded.
    """

    code = models.CharField(
        _("code"),
        max_length=80,
        unique=True,
        error_messages={"unique": _("This code is already in the catalogue.")},
    )
    edition = models.CharField(_("edition"), max_length=80, db_index=True)
    base = models.CharField(_("base code"), max_length=80, db_index=True)
    key = models.CharField(_("search key"), max_length=80, db_index=True, editable=False)
    number = models.CharField(_("number"), max_length=40, db_index=True, editable=False)
    year = year_field(null=True, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    title_en = models.CharField(_("English title"), max_length=400, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    mandatory = models.BooleanField(_("mandatory"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    effective_on = models.DateField(_("implementation date"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawal date"), null=True, blank=True)
    ics = models.CharField(_("ICS"), max_length=40, blank=True)
    ccs = models.CharField(_("CCS"), max_length=40, blank=True)
    issued_by = models.CharField(_("issued by"), max_length=200, blank=True)
    field = models.CharField(_("field"), max_length=100, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=CatalogueSource.choices, default=CatalogueSource.MANUAL
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = StandardQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("standard"), _("standards")
        ordering = ["key", "pk"]
        constraints = [
            valid_choice(
                "standards_standard_level_valid", "level", Level, _("Unknown level of standard.")
            ),
            valid_choice(
                "standards_standard_status_valid",
                "status",
                Status,
                _("Unknown status of standard."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()

    def get_absolute_url(self) -> str:
        return reverse("standards:detail", args=[self.pk])

    def clean_fields(self, exclude=None) -> None:
        """The derived columns come from the code, before Django checks that they are set."""
        with contextlib.suppress(ValueError):
            self.apply_code(stdcodes.parse(self.code or ""))
        super().clean_fields(exclude)

    def clean(self) -> None:
        """Normalise the code and derive what the code decides (level, base, mandatory)."""
        errors: dict[str, str] = {}
        try:
            parsed = stdcodes.parse(self.code or "")
        except stdcodes.CodeError as error:
            raise ValidationError({"code": code_problem(error)}) from None
        self.apply_code(parsed)
        self.title = (self.title or "").strip()
        if self.effective_on and self.published_on and self.effective_on < self.published_on:
            errors["effective_on"] = gettext("The implementation date is before publication.")
        if self.withdrawn_on and self.effective_on and self.withdrawn_on < self.effective_on:
            errors["withdrawn_on"] = gettext("The withdrawal date is before implementation.")
        if errors:
            raise ValidationError(errors)

    def apply_code(self, parsed: stdcodes.StandardCode) -> None:
        """Fill the columns derived from the code; the catalogue's own mandatory flag is kept
        where the prefix does not decide it (group, enterprise, international)."""
        self.code = parsed.canonical
        self.edition = parsed.edition
        self.base = parsed.base
        self.key = search_key(parsed.canonical)
        self.number = parsed.number
        self.year = parsed.year
        self.level = LEVEL_OF[parsed.level]
        if parsed.is_mandatory is not None:
            self.mandatory = parsed.is_mandatory

    @property
    def is_in_force(self) -> bool:
        return self.status == Status.CURRENT


class LinkKind(models.TextChoices):
    EXPLICIT = "explicit", _("Explicit")
    INFERRED = "inferred", _("Inferred from a newer edition")


class Replacement(models.Model):
    """``old`` is replaced by ``new``: stated by a source (explicit), or inferred because the
    catalogue holds a newer edition of the same base code. The two kinds are never merged."""

    old = ref(Standard, _("replaced standard"), "replaced_by_links", on_delete=models.CASCADE)
    new = ref(Standard, _("replacing standard"), "replaces_links", on_delete=models.CASCADE)
    kind = models.CharField(_("kind"), max_length=10, choices=LinkKind.choices)
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        verbose_name, verbose_name_plural = _("replacement"), _("replacements")
        ordering = ["old", "kind", "new"]
        constraints = [
            unique(
                "standards_replacement_unique",
                "old",
                "new",
                message=_("This replacement is already recorded."),
            ),
            check(
                "standards_replacement_not_self",
                ~Q(old=models.F("new")),
                _("A standard cannot replace itself."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.old.code} → {self.new.code} ({self.get_kind_display()})"


class TitleToken(models.Model):
    """One word of a standard's titles (jieba), for the title search.

    ``rank`` copies the standard's search prior (status, then shorter titles first) so that a
    query is answered from this table's index alone, without joining the catalogue.
    """

    token = models.CharField(max_length=40)
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="tokens")
    rank = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["token", "standard", "rank"], name="standards_token_lookup"),
            models.Index(fields=["standard"], name="standards_token_standard"),
        ]

    def __str__(self) -> str:
        return self.token
