"""The staff view of risk: money resting on facts the beneficiary's side recorded, evidence
files shared between enterprises, people registered by several organisations (issue 10)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "zhibiao.risks"
    label = "risks"
    verbose_name = _("Risks")
