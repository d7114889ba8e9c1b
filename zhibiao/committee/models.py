"""The working committee on quality and standardization, and its experts."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.core.modelfields import check, ref, unique, updated_field, user_ref, valid_choice
from zhibiao.core.permissions import RestrictedQuerySet


class Sector(models.TextChoices):
    """The five sectors the committee's experts come from (the story's 多部门多领域)."""

    GOVERNMENT = "government", _("Government departments")
    FEDERATION = "federation", _("Federation of Industry and Commerce")
    INSTITUTION = "institution", _("Professional institutions")
    ENTERPRISE = "enterprise", _("Private enterprises")
    CHAMBER = "chamber", _("Chambers of commerce and associations")


class Position(models.TextChoices):
    DIRECTOR = "director", _("Director")
    DEPUTY_DIRECTOR = "deputy_director", _("Deputy director")
    SECRETARY_GENERAL = "secretary_general", _("Secretary-general")
    MEMBER = "member", _("Member")


class CommitteeQuerySet(models.QuerySet):
    def shown_to(self, user) -> CommitteeQuerySet:
        """The committees with their founding document as `user` may see it: None while it is
        a draft they may not open, so that neither its title nor its address shows."""
        documents = self.model._meta.get_field("founding_document").related_model.objects
        return self.prefetch_related(
            models.Prefetch("founding_document", queryset=documents.restrict(user, "view"))
        )


class Committee(models.Model):
    """A working committee founded by a policy document on a given date."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    founded_on = models.DateField(_("founded on"))
    founding_document = ref(
        "policies.PolicyDocument",
        _("founding document"),
        "committees_founded",
        null=True,
        blank=True,
    )
    description = models.TextField(_("description"), blank=True)

    objects = CommitteeQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("working committee"), _("working committees")
        ordering = ["founded_on", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("committee:index")


class ExpertiseTag(models.Model):
    """A field an expert knows, e.g. 标准化 or 计量; shared by all members, matched on later."""

    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name, verbose_name_plural = _("expertise"), _("expertise")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MemberQuerySet(RestrictedQuerySet):
    def _public(self, user) -> MemberQuerySet:
        """The roster is public: the committee's appointments are published with its founding
        document, past terms included (a conflict of interest is the committee's own record,
        `ConflictOfInterest`, and is not read through here)."""
        return self

    actions = {"view": _public}

    def current(self, on: datetime.date | None = None) -> MemberQuerySet:
        on = on or timezone.localdate()
        return self.filter(term_start__lte=on).filter(
            Q(term_end__isnull=True) | Q(term_end__gte=on)
        )


class CommitteeMember(models.Model):
    """A person's seat on the committee for one term, in one of the five sectors.

    The organisation represented is the person's organisation; `user` is the expert's login,
    if they have one.
    """

    committee = ref(Committee, _("committee"), "members")
    person = ref("directory.Person", _("person"), "committee_seats")
    user = user_ref(_("login"), "committee_seats", on_delete=models.SET_NULL, null=True, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    position = models.CharField(
        _("position"), max_length=20, choices=Position.choices, default=Position.MEMBER
    )
    expertise = models.ManyToManyField(
        ExpertiseTag, verbose_name=_("expertise"), blank=True, related_name="members"
    )
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"), null=True, blank=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("committee member"), _("committee members")
        ordering = ["committee", "sector", "position", "pk"]
        constraints = [
            check(
                "committee_member_term_ordered",
                Q(term_end__isnull=True) | Q(term_end__gte=F("term_start")),
                _("The term ends before it starts."),
            ),
            valid_choice("committee_member_sector_valid", "sector", Sector, _("Unknown sector.")),
            unique(
                "committee_member_one_seat_per_term",
                "committee",
                "person",
                "term_start",
                message=_("This person already has a seat on the committee for this term."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} ({self.get_sector_display()})"

    def get_absolute_url(self) -> str:
        return reverse("committee:member", args=[self.pk])

    def clean(self) -> None:
        if self.term_start and self.term_end and self.term_end < self.term_start:
            raise ValidationError({"term_end": gettext("The term ends before it starts.")})
        if self.committee_id and self.term_start and self.term_start < self.committee.founded_on:
            raise ValidationError(
                {"term_start": gettext("The term cannot start before the committee was founded.")}
            )

    @property
    def organisation(self):
        return self.person.organisation


class ConflictOfInterest(models.Model):
    """An expert's declared conflict with an organisation: they never review or serve it."""

    expert = user_ref(_("expert"), "conflicts")
    organisation = ref("directory.Organisation", _("organisation"), "conflicted_experts")
    reason = models.CharField(_("reason"), max_length=200)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name, verbose_name_plural = _("conflict of interest"), _("conflicts of interest")
        constraints = [
            unique(
                "committee_conflict_once",
                "expert",
                "organisation",
                message=_("This conflict is already declared."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.expert} × {self.organisation}"


class Availability(models.TextChoices):
    AVAILABLE = "available", _("Available")
    LIMITED = "limited", _("Limited")
    AWAY = "away", _("Away")


class ExpertProfile(models.Model):
    """What an expert offers the supply platform and the review of applications: when they
    are free, how much they take on, the industries they know."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("expert"),
        on_delete=models.CASCADE,
        related_name="expert_profile",
    )
    availability = models.CharField(
        _("availability"),
        max_length=10,
        choices=Availability.choices,
        default=Availability.AVAILABLE,
    )
    capacity = models.PositiveSmallIntegerField(
        _("open assignments at most"), default=5, help_text=_("Beyond this, no new requests.")
    )
    industries = models.JSONField(
        _("industries"),
        default=list,
        blank=True,
        help_text=_("GB/T 4754 sections or divisions, such as C or C27; empty: any."),
    )
    bio = models.TextField(_("introduction"), blank=True)
    updated_at = updated_field()

    class Meta:
        verbose_name, verbose_name_plural = _("expert profile"), _("expert profiles")

    def __str__(self) -> str:
        return str(self.user)
