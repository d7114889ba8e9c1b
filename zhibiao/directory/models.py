"""Organisations and people: the district's register that every other app points at."""

from __future__ import annotations

import functools

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.models import ORGANISATION_ROLES
from zhibiao.accounts.permissions import is_district_admin
from zhibiao.core.modelfields import check, created_field, ref, unique, updated_field, valid_choice
from zhibiao.core.permissions import RestrictedQuerySet
from zhibiao.core.workflow import revision_field
from zhibiao.directory import uscc
from zhibiao.directory.validators import split_industry_code, validate_uscc


class Town(models.TextChoices):
    """The towns and sub-districts (镇、街道) of Fengxian District, plus the port zone."""

    NANQIAO = "nanqiao", _("Nanqiao Town")
    FENGCHENG = "fengcheng", _("Fengcheng Town")
    ZHUANGHANG = "zhuanghang", _("Zhuanghang Town")
    JINHUI = "jinhui", _("Jinhui Town")
    SITUAN = "situan", _("Situan Town")
    QINGCUN = "qingcun", _("Qingcun Town")
    ZHELIN = "zhelin", _("Zhelin Town")
    HAIWAN = "haiwan", _("Haiwan Town")
    XIDU = "xidu", _("Xidu Sub-district")
    FENGPU = "fengpu", _("Fengpu Sub-district")
    JINHAI = "jinhai", _("Jinhai Sub-district")
    HAIGANG = "haigang", _("Haigang Development Zone")


class Zone(models.TextChoices):
    """Development zones: a second, optional location attribute that overlaps the towns."""

    INDUSTRIAL = "industrial", _("Shanghai Comprehensive Industrial Development Zone")
    BEAUTY_VALLEY = "beauty_valley", _("Oriental Beauty Valley")


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    CHAMBER = "chamber", _("Chamber of commerce or association")
    INSTITUTION = "institution", _("Professional institution")
    GOVERNMENT = "government", _("Government department")
    PEOPLES = "peoples", _("People's organisation")


class Ownership(models.TextChoices):
    PRIVATE = "private", _("Private")
    STATE = "state", _("State-owned")
    COLLECTIVE = "collective", _("Collective")
    FOREIGN = "foreign", _("Foreign-invested")
    HMT = "hmt", _("Hong Kong, Macao or Taiwan-invested")
    OTHER = "other", _("Other")


class Size(models.TextChoices):
    """Enterprise size by the statistics bureau's large/medium/small/micro classification."""

    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


class Source(models.TextChoices):
    """Where a record came from, so demo and synthetic rows can be told from real ones."""

    MANUAL = "manual", _("Entered by hand")
    IMPORT = "import", _("Imported")
    DEMO = "demo", _("Demo data")
    SYNTHETIC = "synthetic", _("Synthetic population")


class IndustryLevel(models.TextChoices):
    SECTION = "section", _("Section")
    DIVISION = "division", _("Division")
    GROUP = "group", _("Group")
    CLASS = "class", _("Class")


class IndustryQuerySet(models.QuerySet):
    def normalise_code(self, value: str) -> str:
        """Return the stored form ("C2411") of an industry code, or raise ValidationError.

        The division (first two digits) must exist and belong to the section given, so "A2411"
        is refused; finer levels are accepted when the reference table lacks them, because the
        table is complete only down to divisions.
        """
        section, division, rest = split_industry_code(value)
        parent = self.filter(code=division, level=IndustryLevel.DIVISION).first()
        if parent is None:
            raise ValidationError(
                gettext("There is no GB/T 4754-2017 division “%(division)s”.")
                % {"division": division},
                code="industry_unknown",
            )
        if section and section != parent.parent_id:
            raise ValidationError(
                gettext("Division %(division)s belongs to section %(expected)s, not %(section)s.")
                % {"division": division, "expected": parent.parent_id, "section": section},
                code="industry_section",
            )
        return f"{parent.parent_id}{division}{rest}"


class Industry(models.Model):
    """A node of the GB/T 4754-2017 classification, loaded from the file shipped with the app."""

    code = models.CharField(_("code"), max_length=4, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=IndustryLevel.choices)
    parent = ref("self", _("parent"), "children", null=True, blank=True)

    objects = IndustryQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("industry"), _("industries")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OrganisationQuerySet(RestrictedQuerySet):
    def _visible_to(self, user) -> OrganisationQuerySet:
        """The register is for signed-in users only; everyone signed in sees its public part."""
        if not user.is_authenticated:
            return self.none()
        return self

    def _editable_by(self, user) -> OrganisationQuerySet:
        """District administrators edit any organisation; the users who act for one (the roles
        of ORGANISATION_ROLES) only their own.

        A committee expert's `organisation` is their employer, recorded for conflicts of
        interest: an expert does not act for it, so acting alone they edit nothing, their
        employer included.
        """

        if not user.is_authenticated:
            return self.none()
        if is_district_admin(user):
            return self
        if user.organisation_id is None or user.role not in ORGANISATION_ROLES:
            return self.none()
        return self.filter(pk=user.organisation_id)

    def _private_visible_to(self, user) -> OrganisationQuerySet:
        """Whose non-public data (size, contacts, people) the user may read: the same as edit,
        so an expert does not read their employer's people either."""
        return self.restrict(user, "change")

    actions = {"view": _visible_to, "change": _editable_by, "view_private": _private_visible_to}


class Organisation(models.Model):
    """An enterprise, chamber, institution or department known to the platform.

    The USCC identifies it; public attributes (name, kind, town, industry) are visible to every
    signed-in user, contact details only to its own users and district administrators.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=100)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_uscc],
        help_text=_("18 characters, GB 32100-2015; required for enterprises and chambers."),
        error_messages={
            "unique": _("Another organisation already has this unified social credit code.")
        },
    )
    town = models.CharField(_("town"), max_length=20, choices=Town.choices, blank=True)
    zone = models.CharField(_("development zone"), max_length=20, choices=Zone.choices, blank=True)
    ownership = models.CharField(
        _("ownership"), max_length=20, choices=Ownership.choices, blank=True
    )
    industry = models.CharField(
        _("industry (GB/T 4754-2017)"),
        max_length=5,
        blank=True,
        db_index=True,
        help_text=_("Section letter and 2 to 4 digits, such as C2411."),
    )
    size = models.CharField(_("size"), max_length=10, choices=Size.choices, blank=True)
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    #: Counted up by every change (`services.update_organisation`, the import, the admin site):
    #: its own users and the district staff edit the same row, and a save from a page that
    #: showed an older revision is refused instead of writing that page's values back.
    revision = revision_field(editable=False)
    created_at = created_field()
    updated_at = updated_field()

    objects = OrganisationQuerySet.as_manager()

    #: Kinds that are registered legal persons and so must carry a USCC.
    REGISTERED_KINDS = (OrganisationKind.ENTERPRISE, OrganisationKind.CHAMBER)

    class Meta:
        verbose_name, verbose_name_plural = _("organisation"), _("organisations")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["kind", "town"], name="directory_org_kind_town"),
            models.Index(fields=["name"], name="directory_org_name"),
        ]
        constraints = [
            valid_choice(
                "directory_org_kind_valid",
                "kind",
                OrganisationKind,
                _("Unknown kind of organisation."),
            ),
            check(
                "directory_org_town_valid", Q(town="") | Q(town__in=Town.values), _("Unknown town.")
            ),
            check(
                "directory_org_registered_has_uscc",
                ~Q(kind__in=["enterprise", "chamber"]) | Q(uscc__isnull=False),
                _("Enterprises and chambers must have a unified social credit code."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:organisation", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.name = (self.name or "").strip()
        if self.uscc == "":
            self.uscc = None
        if self.uscc:
            self.uscc = uscc.normalise(self.uscc)
        if self.kind in self.REGISTERED_KINDS and not self.uscc:
            errors["uscc"] = gettext(
                "Enterprises and chambers must have a unified social credit code."
            )
        if self.kind == OrganisationKind.ENTERPRISE and not self.town:
            errors["town"] = gettext("Enterprises must name their town in the district.")
        if self.founded_on and self.founded_on > timezone.localdate():
            errors["founded_on"] = gettext("The founding date cannot be in the future.")
        if self.kind == OrganisationKind.ENTERPRISE and not self.ownership:
            errors["ownership"] = gettext("Enterprises must state their ownership.")
        if self.industry:
            try:
                self.industry = Industry.objects.normalise_code(self.industry)
            except ValidationError as error:
                errors["industry"] = error.messages[0]
        if errors:
            raise ValidationError(errors)

    @property
    def industry_name(self) -> str:
        """The most specific name the reference table knows for the code."""
        return industry_names().get(self.industry, "")


@functools.cache
def industry_names() -> _NameTable:
    """Names by stored code ("C2411" and "C24"), for the whole process.

    The table changes only with a migration, so one read per process is enough.
    """
    rows = list(Industry.objects.values_list("code", "name", "level", "parent_id"))
    section_of = {code: parent for code, _n, level, parent in rows if level == "division"}
    names = _NameTable()
    for code, name, level, _parent in rows:
        names[code if level == IndustryLevel.SECTION else section_of[code[:2]] + code] = name
    return names


class _NameTable(dict):
    """Falls back from a class to its group and division when the exact code is not listed."""

    def get(self, code: str, default: str = "") -> str:  # type: ignore[override]
        while code:
            if code in self:
                return self[code]
            code = code[:-1] if len(code) > 3 else ""
        return default


class PersonQuerySet(RestrictedQuerySet):
    def _visible_to(self, user) -> PersonQuerySet:
        """Contacts are private: district administrators and the person's own organisation."""
        return self.filter(organisation__in=Organisation.objects.restrict(user, "view_private"))

    actions = {"view": _visible_to}


class Person(models.Model):
    """A contact person of an organisation; demo people are named by office, not by name."""

    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("office or title"), max_length=200, blank=True)
    organisation = ref(Organisation, _("organisation"), "people")
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    #: Counted up by every change, as the organisation's (`services.update_person`).
    revision = revision_field(editable=False)
    created_at = created_field()

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("person"), _("people")
        ordering = ["organisation__name", "name", "pk"]
        constraints = [
            unique(
                "directory_person_unique_per_org",
                "organisation",
                "name",
                "title",
                message=_("This organisation already has a person with this name and title."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"
