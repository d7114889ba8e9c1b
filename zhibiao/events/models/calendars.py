"""Each user's personal calendar feed of the events they go to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhibiao.core.modelfields import created_field
from zhibiao.events.models.registration import _ticket_token


class CalendarFeed(models.Model):
    """The secret address of a user's personal calendar feed: calendar programs cannot sign in,
    so the address is the credential, and a new one can replace it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(_("token"), max_length=40, unique=True, default=_ticket_token)
    created_at = created_field()

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)
