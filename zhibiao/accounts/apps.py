"""User accounts, roles and API tokens."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "zhibiao.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
