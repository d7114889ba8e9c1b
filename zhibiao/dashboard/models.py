"""Daily snapshots of the indicators, so that history exists for past days and months."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhibiao.core.modelfields import unique


class Snapshot(models.Model):
    """One indicator's figure on one day, for the district or one town or industry section."""

    class Scope(models.TextChoices):
        ALL = "all", _("The district")
        TOWN = "town", _("Town")
        SECTION = "section", _("Industry section")

    indicator = models.CharField(_("indicator"), max_length=50)
    day = models.DateField(_("day"))
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    key = models.CharField(_("town or section"), max_length=20, blank=True)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=2, null=True)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name, verbose_name_plural = _("snapshot"), _("snapshots")
        ordering = ["day", "indicator", "scope", "key"]
        constraints = [
            unique(
                "dashboard_snapshot_once",
                "indicator",
                "day",
                "scope",
                "key",
                message=_("This figure is already recorded for the day."),
            )
        ]
        indexes = [models.Index(fields=["indicator", "scope", "day"], name="dashboard_history")]

    def __str__(self) -> str:
        return f"{self.day} {self.indicator} {self.scope}:{self.key} = {self.value}"
