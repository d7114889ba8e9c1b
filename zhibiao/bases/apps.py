"""Training bases designated among leading enterprises."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BasesConfig(AppConfig):
    name = "zhibiao.bases"
    label = "bases"
    verbose_name = _("Training bases")
