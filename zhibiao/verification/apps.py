"""The verification queue: records that feed money, verified or rejected by whoever attests them."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "zhibiao.verification"
    label = "verification"
    verbose_name = _("Verification")
