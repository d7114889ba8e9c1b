"""The working committee on quality and standardization and its members."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteeConfig(AppConfig):
    name = "zhibiao.committee"
    label = "committee"
    verbose_name = _("Working committee")
