"""Platform core: shared templates, uploads and helpers."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhibiao.core"
    label = "core"
    verbose_name = _("Core")
