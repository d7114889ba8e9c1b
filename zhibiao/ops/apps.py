"""Operations: backup and restore, the health check, and the request id in the logs (issue 14)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "zhibiao.ops"
    label = "ops"
    verbose_name = _("Operations")
