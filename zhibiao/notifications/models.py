"""One message to one user, read or not."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhibiao.core.modelfields import unique, user_ref


class Family(models.TextChoices):
    """Kinds of notification a user may mute by e-mail (the inbox always keeps them)."""

    ENTITLEMENT = "entitlement", _("Entitlements under the measures")
    APPLICATION = "application", _("Steps of applications")
    REVIEW = "review", _("Expert reviews")
    OBJECTION = "objection", _("Objections during public notices")
    DEMAND = "demand", _("Service demands")
    AWARD = "award", _("Stages of quality award entries")


class MutedEmail(models.Model):
    """A family of notifications the user does not want by e-mail."""

    user = user_ref(_("user"), "muted_emails", on_delete=models.CASCADE)
    family = models.CharField(_("kind"), max_length=20, choices=Family.choices)

    class Meta:
        verbose_name, verbose_name_plural = _("muted e-mail"), _("muted e-mails")
        constraints = [
            unique("notifications_mute_once", "user", "family", message=_("Already muted."))
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.family}"


class Notification(models.Model):
    """Something a user should know: a new entitlement, a step of an application …"""

    recipient = user_ref(_("recipient"), "notifications", on_delete=models.CASCADE)
    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed = models.BooleanField(_("e-mailed"), default=False)

    class Meta:
        verbose_name, verbose_name_plural = _("notification"), _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notifications_unread")]

    def __str__(self) -> str:
        return self.title
