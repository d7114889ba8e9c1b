"""The dashboard of the three focuses: indicators as data, figures, history, reports."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "zhibiao.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")
