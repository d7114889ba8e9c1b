"""Standards: the catalogue, search, the validity check, self-declarations, leaders, group
standards."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "zhibiao.standards"
    label = "standards"
    verbose_name = _("Standards")
