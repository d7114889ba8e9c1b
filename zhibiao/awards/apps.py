"""The district quality award (区长质量奖), scored by the committee against GB/T 19580."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "zhibiao.awards"
    label = "awards"
    verbose_name = _("District quality award")
