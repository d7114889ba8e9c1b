"""Notifications: an in-app inbox, and e-mail through Django's mail backends."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "zhibiao.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
