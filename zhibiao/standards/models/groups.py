"""Group standards (团体标准) that chambers publish, and the departments that adopt them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import has_role, is_district_admin
from zhibiao.core.attestation import Attested, Verification
from zhibiao.core.modelfields import created_field, ref, unique
from zhibiao.core.permissions import RestrictedQuerySet


class GroupStandardQuerySet(RestrictedQuerySet):
    def _visible_to(self, user) -> GroupStandardQuerySet:
        """Group standards are public."""
        return self

    def _editable_by(self, user) -> GroupStandardQuerySet:
        """A chamber's users manage their chamber's standards; administrators all."""

        if is_district_admin(user):
            return self
        if not has_role(user, Role.CHAMBER) or not user.organisation_id:
            return self.none()
        return self.filter(chamber_id=user.organisation_id)

    actions = {"view": _visible_to, "change": _editable_by}

    def adopted(self) -> GroupStandardQuerySet:
        """Group standards whose adoption is a fact: recorded and verified. A pending adoption
        is only the chamber's word, and a rejected one is none at all."""
        return self.filter(adopted_by__isnull=False, verification=Verification.VERIFIED)

    def not_adopted(self) -> GroupStandardQuerySet:
        """The others: no adoption recorded, or one not verified (yet)."""
        return self.exclude(adopted_by__isnull=False, verification=Verification.VERIFIED)

    def for_reader(self, user) -> GroupStandardQuerySet:
        """With their provenance's names and `adoption_shown`: whether `user` reads the
        recorded adoption at all. A rejected adoption is not one, so the public (pages, export,
        API) never reads it, not even marked rejected beside the department's name, which a
        reader skimming takes for the fact; the chamber and administrators, who may correct
        it, still see what was rejected. A pending one is shown, marked as awaiting
        verification."""
        editable = self.model.objects.restrict(user, "change").values("pk")
        return self.select_related(
            "recorded_by__organisation", "checked_by__organisation"
        ).annotate(
            adoption_shown=Case(
                When(adopted_by__isnull=True, then=Value(False)),
                When(~Q(verification=Verification.REJECTED), then=Value(True)),
                When(pk__in=editable, then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            )
        )


class GroupStandard(Attested):
    """A chamber's group standard, its drafters and the department that adopted it (采信).

    The measures reward a group standard only when it is self-declared and adopted by a city
    or district department, so the adopting department is a record, not a remark. The chamber
    is on its members' side, so what it records (drafters and their ranks, the adoption) counts
    only once district staff or the adopting department's users have verified it (`Attested`).
    """

    chamber = ref("directory.Organisation", _("chamber"), "group_standards")
    standard = models.OneToOneField(
        "standards.Standard",
        verbose_name=_("catalogue entry"),
        on_delete=models.PROTECT,
        related_name="group_standard",
    )
    drafters = models.ManyToManyField(
        "directory.Organisation",
        verbose_name=_("drafting enterprises"),
        blank=True,
        through="GroupStandardDrafter",
        related_name="drafted_group_standards",
    )
    adopted_by = ref(
        "directory.Organisation",
        _("adopting department"),
        "adopted_group_standards",
        null=True,
        blank=True,
    )
    adopted_on = models.DateField(_("adoption date"), null=True, blank=True)
    adoption_document = models.CharField(_("adoption document"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    created_at = created_field()

    objects = GroupStandardQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("group standard"), _("group standards")
        ordering = ["-standard__published_on", "pk"]

    def __str__(self) -> str:
        return str(self.standard)

    def get_absolute_url(self) -> str:
        return reverse("standards:group", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.chamber_id and self.chamber.kind != "chamber":
            errors["chamber"] = gettext("Group standards are published by chambers.")
        if self.adopted_by_id and self.adopted_by.kind != "government":
            errors["adopted_by"] = gettext("Only a government department adopts a standard.")
        if self.adopted_by_id and not self.adopted_on:
            errors["adopted_on"] = gettext("Give the date of adoption.")
        if self.adopted_on and not self.adopted_by_id:
            errors["adopted_by"] = gettext("Name the adopting department.")
        if errors:
            raise ValidationError(errors)


class GroupStandardDrafter(models.Model):
    group_standard = models.ForeignKey(GroupStandard, on_delete=models.CASCADE)
    organisation = ref("directory.Organisation", _("organisation"))
    rank = models.PositiveSmallIntegerField(_("drafting rank"), default=1)

    class Meta:
        verbose_name, verbose_name_plural = _("drafter"), _("drafters")
        ordering = ["group_standard", "rank"]
        constraints = [
            unique(
                "standards_drafter_unique",
                "group_standard",
                "organisation",
                message=_("This organisation is already a drafter."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.rank})"
