"""What a change to the measures would cost, before it is published (issue 16): scenarios of
draft clause versions, the whole population screened under the current and the draft clauses,
budgets, and the comparison of kept scenarios."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WhatifConfig(AppConfig):
    name = "zhibiao.whatif"
    label = "whatif"
    verbose_name = _("Scenarios")
