"""The pages that gather many domains for one reader: the home page and the workbench.

They sit on top of the layers (README, Architecture): a page that reads events, bases,
policies and applications at once belongs above all of them, so that no domain app has to
import its neighbours to draw a front page.
"""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "zhibiao.portal"
    label = "portal"
