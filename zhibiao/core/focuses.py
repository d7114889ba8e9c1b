"""The district's three focuses and the federation's three methods, as the story states them.

Later the dashboard files each indicator under one of these focuses. Each list stands beside
the sentences the home page explains it with.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Focus(models.TextChoices):
    POLICY = "policy", _("Focus on implementing the policies")
    INFRASTRUCTURE = "infrastructure", _("Focus on key fields, strengthen the quality foundations")
    ENVIRONMENT = "environment", _("Focus on institutions, build a good quality environment")


FOCUS_DETAILS = {
    Focus.POLICY: _(
        "Carry out the national and municipal quality and standardization policies, and start "
        "a new round of building a district strong in quality."
    ),
    Focus.INFRASTRUCTURE: _(
        "Standards, metrology, certification and testing: the quality infrastructure "
        "enterprises build on."
    ),
    Focus.ENVIRONMENT: _("Rules and institutions under which quality is recognised and rewarded."),
}


class Method(models.TextChoices):
    ORGANISATION = "organisation", _("Strengthen leadership, provide mechanisms")
    TRAINING = "training", _("Publicity and training, raise awareness")
    SUPPLY = "supply", _("Build a supply platform, lead enterprises forward")


METHOD_DETAILS = {
    Method.ORGANISATION: _("The working committee of five sectors and its mechanisms."),
    Method.TRAINING: _("Policy publicity sessions, courses and visits at the training bases."),
    Method.SUPPLY: _("Quality services matched to what enterprises need."),
}
