"""Policy documents: the district measures and the policies they implement."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "zhibiao.policies"
    label = "policies"
    verbose_name = _("Policies")
