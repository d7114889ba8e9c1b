"""Records on file about an enterprise: standards it drafted, awards, certifications, credit,
district tax, designations. The measures read their facts from here (zhibiao/rules/facts.yaml
names each source); district staff keep them, each enterprise reads its own.

Codes of the choices are the codes of the fact schema, so a record's value is the fact's value.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao import stdcodes
from zhibiao.core.attestation import Attested
from zhibiao.core.modelfields import YEAR_VALIDATORS, check, created_field, ref, unique, year_field
from zhibiao.core.permissions import RestrictedQuerySet
from zhibiao.core.standard_codes import code_problem
from zhibiao.directory.models import Organisation


class StandardLevel(models.TextChoices):
    INTERNATIONAL = "international", _("International")
    NATIONAL = "national", _("National")
    INDUSTRY = "industry", _("Industry")
    LOCAL = "local", _("Local")
    GROUP = "group", _("Group")
    ENTERPRISE = "enterprise", _("Enterprise")


class AwardName(models.TextChoices):
    CHINA_QUALITY = "china_quality_award", _("China Quality Award")
    CHINA_QUALITY_NOMINATION = "china_quality_nomination", _("China Quality Award nomination")
    MAYOR_QUALITY = "shanghai_mayor_quality_award", _("Shanghai Mayor's Quality Award")
    QUALITY_GOLD = "shanghai_quality_gold_award", _("Shanghai Quality Gold Award")
    STANDARD_INNOVATION = (
        "china_standard_innovation_award",
        _("China Standard Innovation Contribution Award"),
    )
    DISTRICT_QUALITY = "district_quality_award", _("District Head's Quality Award")


class Recipient(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    PERSON = "person", _("Person")


class CertificationKind(models.TextChoices):
    SHANGHAI_BRAND = "shanghai_brand", _("Shanghai Brand")
    ENERGY_MS = "energy_ms", _("Energy management system")
    INFOSEC_MS = "infosec_ms", _("Information security management system")
    MEASUREMENT_MS = "measurement_ms", _("Measurement management system")
    CMA = "cma", _("Inspection body qualification (CMA)")
    QUALITY_MS = "quality_ms", _("Quality management system")


class DesignationKind(models.TextChoices):
    HIGH_TECH = "high_tech", _("High-tech enterprise")
    SPECIALISED = "specialised", _("Specialised and innovative SME")
    LITTLE_GIANT = "little_giant", _("Specialised and innovative 'little giant'")
    CONTRACT_CREDIT = "contract_credit", _("Contract-abiding and creditworthy enterprise")


class CreditList(models.TextChoices):
    ABNORMAL = "abnormal", _("List of abnormal operations")
    SERIOUS = "serious", _("List of serious violations of law and trust")


class RecordQuerySet(RestrictedQuerySet):
    def _visible_to(self, user):
        """An enterprise's records: its own users and district administrators."""
        return self.filter(organisation__in=Organisation.objects.restrict(user, "view_private"))

    actions = {"view": _visible_to}


class EnterpriseRecord(Attested):
    """Common to every record; each subclass has its `organisation` with its own related name.

    Every record feeds a fact the measures pay on, so each keeps its provenance (`Attested`):
    who recorded it and whether and by whom it was verified. Only verified records count.
    """

    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = created_field()

    objects = RecordQuerySet.as_manager()

    class Meta:
        abstract = True


class StandardDrafting(EnterpriseRecord):
    """The enterprise took part in drafting a published standard, at a rank."""

    organisation = ref(Organisation, _("enterprise"), "standard_draftings")
    code = models.CharField(
        _("standard code"), max_length=60, help_text=_("Canonical form, e.g. GB/T 43210-2023.")
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=StandardLevel.choices)
    rank = models.PositiveSmallIntegerField(
        _("drafting rank"), validators=[MinValueValidator(1)], help_text=_("1: leading drafter.")
    )
    year = year_field(_("year of publication"), validators=YEAR_VALIDATORS)
    city_funded = models.BooleanField(_("funded by the city"), default=False)
    city_grant = models.DecimalField(
        _("city grant (yuan)"), max_digits=12, decimal_places=2, default=0
    )
    self_declared = models.BooleanField(_("self-declared"), default=False)
    adopted_by_department = models.BooleanField(_("adopted by a department"), default=False)

    class Meta:
        verbose_name, verbose_name_plural = _("standard drafted"), _("standards drafted")
        ordering = ["organisation", "-year", "code"]
        constraints = [
            unique(
                "profiles_drafting_once_per_standard",
                "organisation",
                "code",
                message=_("This standard is already recorded for the enterprise."),
            ),
            check(
                "profiles_drafting_rank_positive",
                Q(rank__gte=1),
                _("The drafting rank starts at 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.rank})"

    def clean(self) -> None:
        # One standard, one spelling: "GB/T43210-2023" and "GB/T 43210-2023" are one standard,
        # and stored as typed they would pass the once-per-standard constraint and be paid
        # twice (the facts match records by their code).
        try:
            self.code = stdcodes.parse(self.code or "").canonical
        except stdcodes.CodeError as error:
            raise ValidationError({"code": code_problem(error)}) from None
        if self.city_grant and self.city_grant > 0 and not self.city_funded:
            raise ValidationError(
                {"city_funded": gettext("A city grant means the city funds the project.")}
            )


class AwardRecord(EnterpriseRecord):
    """A quality or standards award won by the enterprise or one of its people."""

    organisation = ref(Organisation, _("enterprise"), "awards")
    award = models.CharField(_("award"), max_length=40, choices=AwardName.choices)
    recipient = models.CharField(
        _("recipient"), max_length=20, choices=Recipient.choices, default=Recipient.ORGANISATION
    )
    person_name = models.CharField(_("person"), max_length=100, blank=True)
    grade = models.PositiveSmallIntegerField(
        _("class"), default=0, help_text=_("1 for the first class; 0 when the award has none.")
    )
    year = year_field(validators=YEAR_VALIDATORS)
    project = models.CharField(_("project"), max_length=100, blank=True)
    city_funded = models.BooleanField(_("funded by the city"), default=False)

    class Meta:
        verbose_name, verbose_name_plural = _("award won"), _("awards won")
        ordering = ["organisation", "-year"]
        constraints = [
            unique(
                "profiles_award_once",
                "organisation",
                "award",
                "recipient",
                "person_name",
                "year",
                message=_("This award is already recorded."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_award_display()} {self.year}"

    def clean(self) -> None:
        if self.recipient == Recipient.PERSON and not self.person_name:
            raise ValidationError({"person_name": gettext("Name the person who won the award.")})


class Certification(EnterpriseRecord):
    """A certificate or qualification held (上海品牌, management systems, CMA …)."""

    organisation = ref(Organisation, _("enterprise"), "certifications")
    kind = models.CharField(_("kind"), max_length=20, choices=CertificationKind.choices)
    number = models.CharField(_("certificate number"), max_length=60)
    year = year_field(_("year obtained"), validators=YEAR_VALIDATORS)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    city_funded = models.BooleanField(_("funded by the city"), default=False)

    class Meta:
        verbose_name, verbose_name_plural = _("certification"), _("certifications")
        ordering = ["organisation", "-year"]
        constraints = [
            unique(
                "profiles_certificate_unique",
                "kind",
                "number",
                message=_("This certificate number is already recorded."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class Designation(EnterpriseRecord):
    """A title the enterprise holds (高新技术企业, 专精特新 …)."""

    organisation = ref(Organisation, _("enterprise"), "designations")
    kind = models.CharField(_("kind"), max_length=20, choices=DesignationKind.choices)
    year = year_field(validators=YEAR_VALIDATORS)

    class Meta:
        verbose_name, verbose_name_plural = _("designation"), _("designations")
        constraints = [
            unique(
                "profiles_designation_once",
                "organisation",
                "kind",
                message=_("This designation is already recorded."),
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class CreditEntry(EnterpriseRecord):
    """An entry on a credit list, from the market supervision credit system, until removed."""

    organisation = ref(Organisation, _("enterprise"), "credit_entries")
    list = models.CharField(_("list"), max_length=20, choices=CreditList.choices)
    listed_on = models.DateField(_("listed on"))
    removed_on = models.DateField(_("removed on"), null=True, blank=True)

    class Meta:
        verbose_name, verbose_name_plural = _("credit list entry"), _("credit list entries")
        ordering = ["organisation", "-listed_on"]
        constraints = [
            check(
                "profiles_credit_removed_after_listed",
                Q(removed_on__isnull=True) | Q(removed_on__gte=F("listed_on")),
                _("An entry cannot be removed before it was listed."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_list_display()} {self.listed_on}"


class TaxRecord(EnterpriseRecord):
    """Tax the enterprise paid in the district in a year (from the district's data exchange)."""

    organisation = ref(Organisation, _("enterprise"), "tax_records")
    year = year_field(validators=YEAR_VALIDATORS)
    amount = models.DecimalField(
        _("tax paid in the district (yuan)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name, verbose_name_plural = _("tax record"), _("tax records")
        ordering = ["organisation", "-year"]
        constraints = [
            unique(
                "profiles_tax_once_a_year",
                "organisation",
                "year",
                message=_("This year's tax is already recorded."),
            ),
            check("profiles_tax_not_negative", Q(amount__gte=0), _("Tax paid cannot be negative.")),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"
