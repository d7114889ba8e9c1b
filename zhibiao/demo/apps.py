"""Demo data of the story: loaded only in demo mode."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "zhibiao.demo"
    label = "demo"
    verbose_name = _("Demo data")
