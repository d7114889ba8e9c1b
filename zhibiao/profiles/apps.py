"""The enterprise file (企业档案): the records the measures' facts are read from."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "zhibiao.profiles"
    label = "profiles"
    verbose_name = _("Enterprise records")
