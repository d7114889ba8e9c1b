"""News reports on the public site."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "zhibiao.news"
    label = "news"
    verbose_name = _("News")
