"""Applications under the measures, from draft to disbursement, reviewed by the committee."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "zhibiao.applications"
    label = "applications"
    verbose_name = _("Applications")
