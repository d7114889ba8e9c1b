"""Policy documents: the district's measures and the higher-level policies they implement."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.permissions import is_district_admin
from zhibiao.core.modelfields import check, ref, valid_choice
from zhibiao.core.permissions import RestrictedQuerySet


class PolicyLevel(models.TextChoices):
    CENTRAL = "central", _("Central")
    MUNICIPAL = "municipal", _("Municipal")
    DISTRICT = "district", _("District")


class PolicyQuerySet(RestrictedQuerySet):
    def _visible_to(self, user) -> PolicyQuerySet:
        """Published documents are public; drafts only for district administrators."""
        if is_district_admin(user):
            return self
        return self.filter(is_published=True)

    def in_force(self, on: datetime.date | None = None) -> PolicyQuerySet:
        on = on or timezone.localdate()
        return self.filter(effective_from__lte=on).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=on)
        )

    actions = {"view": _visible_to}


class PolicyDocument(models.Model):
    """A published policy: its issuers, dates, text, and the higher-level policy it carries out."""

    title = models.CharField(_("title"), max_length=200)
    short_title = models.CharField(_("short title"), max_length=60, blank=True)
    doc_number = models.CharField(_("document number"), max_length=60, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=PolicyLevel.choices)
    issuers = models.ManyToManyField(
        "directory.Organisation", verbose_name=_("issuers"), related_name="policies_issued"
    )
    issue_date = models.DateField(_("issue date"))
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    full_text = models.TextField(_("full text"), blank=True)
    text_note = models.CharField(
        _("note on the text"),
        max_length=300,
        blank=True,
        help_text=_("For example, that the text is a stand-in and not the official wording."),
    )
    implements = ref(
        "self",
        _("implements"),
        "implemented_by",
        null=True,
        blank=True,
        help_text=_("The higher-level policy this document carries out."),
    )
    is_published = models.BooleanField(_("published"), default=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("policy document"), _("policy documents")
        ordering = ["-issue_date", "pk"]
        constraints = [
            check(
                "policies_doc_period_ordered",
                Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                _("The end of the effective period precedes its start."),
            ),
            valid_choice(
                "policies_doc_level_valid", "level", PolicyLevel, _("Unknown policy level.")
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("policies:detail", args=[self.pk])

    def clean(self) -> None:
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            raise ValidationError(
                {"effective_to": gettext("The end of the effective period precedes its start.")}
            )
        if self.implements_id and self.implements_id == self.pk:
            raise ValidationError({"implements": gettext("A policy cannot implement itself.")})
        if self.implements_id and self.issue_date and self.implements.issue_date > self.issue_date:
            raise ValidationError(
                {"implements": gettext("A policy cannot implement one issued after it.")}
            )

    def is_in_force(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)
