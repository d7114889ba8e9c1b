"""The supply platform (供给平台): quality services, enterprises' demands, and matching."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupplyConfig(AppConfig):
    name = "zhibiao.supply"
    label = "supply"
    verbose_name = _("Supply platform")
