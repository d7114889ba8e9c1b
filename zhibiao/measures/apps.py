"""The measures as rules: clauses with versions, the facts they read, who is entitled."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    name = "zhibiao.measures"
    label = "measures"
    verbose_name = _("Measures")
