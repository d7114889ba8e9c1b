"""Announcements as the catalogue's feed (issue 15): the tables standardization bodies publish,
the dated status changes they decide, and the alerts each change sends to those it touches."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhibiao.core.modelfields import check, created_field, ref, unique, user_ref, valid_choice
from zhibiao.core.permissions import RestrictedQuerySet
from zhibiao.standards.models.catalogue import Standard, Status


class AnnouncementKind(models.TextChoices):
    """What a published table announces; a withdrawal list moves its rows to 废止."""

    NATIONAL = "national", _("National standards announcement")
    WITHDRAWAL = "withdrawal", _("Withdrawal list")
    INDUSTRY = "industry", _("Industry standards announcement")


class StaffOnlyQuerySet(RestrictedQuerySet):
    """Announcements, changes and alerts are the catalogue's bookkeeping: district staff only
    (an enterprise hears of the changes that touch it through its notifications)."""

    def _staff(self, user) -> StaffOnlyQuerySet:
        from zhibiao.accounts.permissions import is_district_admin

        return self if is_district_admin(user) else self.none()

    actions = {"view": _staff, "change": _staff}


class Announcement(models.Model):
    """One imported announcement: who published it, its number and date, the file it came in
    and who imported it, so that every status change can say where it comes from."""

    kind = models.CharField(_("kind"), max_length=12, choices=AnnouncementKind.choices)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    number = models.CharField(_("announcement number"), max_length=100)
    date = models.DateField(_("announcement date"))
    file_name = models.CharField(_("source file"), max_length=200, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    imported_by = user_ref(_("imported by"), null=True, blank=True, on_delete=models.SET_NULL)
    imported_at = created_field()

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("announcement"), _("announcements")
        ordering = ["-date", "-pk"]
        constraints = [
            valid_choice(
                "standards_announcement_kind_valid",
                "kind",
                AnnouncementKind,
                _("Unknown kind of announcement."),
            ),
            unique(
                "standards_announcement_unique",
                "kind",
                "number",
                "date",
                message=_("This announcement has already been imported."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.date:%Y-%m-%d})"


class ChangeCause(models.TextChoices):
    ANNOUNCEMENT = "announcement", _("Announcement")
    DATE = "date", _("Date reached")
    IMPORT = "import", _("Catalogue import")
    EDIT = "edit", _("Edited by staff")


class StatusChange(models.Model):
    """A standard's status moving on a date, pending until that day and then applied.

    ``replacement`` names the edition that replaces it (the alert says what to move to);
    ``announcement`` keeps where the change comes from, blank for a date reached or an edit.
    """

    standard = ref(Standard, _("standard"), "status_changes", on_delete=models.CASCADE)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    effective_on = models.DateField(_("effective date"), db_index=True)
    cause = models.CharField(_("cause"), max_length=12, choices=ChangeCause.choices)
    announcement = ref(
        Announcement,
        _("announcement"),
        "changes",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    replacement = ref(
        Standard, _("replaced by"), "+", on_delete=models.SET_NULL, null=True, blank=True
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True, db_index=True)
    recorded_by = user_ref(_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL)
    created_at = created_field()

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("status change"), _("status changes")
        ordering = ["-effective_on", "-pk"]
        constraints = [
            valid_choice(
                "standards_change_to_valid", "to_status", Status, _("Unknown status of standard.")
            ),
            check(
                "standards_change_not_self_replaced",
                ~Q(replacement=models.F("standard")),
                _("A standard cannot replace itself."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard.code} → {self.get_to_status_display()} ({self.effective_on})"

    def get_absolute_url(self) -> str:
        return reverse("standards:change", args=[self.pk])

    @property
    def is_applied(self) -> bool:
        return self.applied_at is not None


class Holding(models.TextChoices):
    """How an enterprise (or a report's owner) holds a standard that changed."""

    DECLARED = "declared", _("Declared it")
    DRAFTED = "drafted", _("Drafted it")
    LEADER = "leader", _("Leads with it")
    GROUP = "group", _("Cites it in a group standard")
    REPORT = "report", _("Cites it in a validity-check report")


class StandardAlert(models.Model):
    """One holder told of one change: an enterprise (by the kind of holding), or the owner of a
    saved validity-check report. The weekly digest marks the alerts it summed up."""

    change = ref(StatusChange, _("status change"), "alerts", on_delete=models.CASCADE)
    organisation = ref(
        "directory.Organisation",
        _("enterprise"),
        "standard_alerts",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    user = user_ref(_("user"), "standard_alerts", null=True, blank=True, on_delete=models.CASCADE)
    holding = models.CharField(_("holding"), max_length=10, choices=Holding.choices)
    notified_at = models.DateTimeField(_("notified at"))
    digested_at = models.DateTimeField(_("in digest"), null=True, blank=True)

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("standard alert"), _("standard alerts")
        ordering = ["change", "holding", "pk"]
        constraints = [
            valid_choice(
                "standards_alert_holding_valid", "holding", Holding, _("Unknown kind of holding.")
            ),
            check(
                "standards_alert_has_holder",
                Q(organisation__isnull=False) | Q(user__isnull=False),
                _("An alert goes to an enterprise or a user."),
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "digested_at"], name="standards_alert_digest")
        ]

    def __str__(self) -> str:
        return f"{self.change} · {self.get_holding_display()}"
