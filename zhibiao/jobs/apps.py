"""Background jobs with progress, for work too long for one request (screening, checks)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "zhibiao.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")
