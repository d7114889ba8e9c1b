"""The dashboard's filters: the lists' year, town and industry, read into a Scope."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext

from zhibiao.dashboard.scope import Scope
from zhibiao.directory.forms import PlaceFilterForm


class DashboardFilterForm(PlaceFilterForm):
    """The figures are kept by industry division, so the dashboard goes down to a division
    (C27) and no finer: a finer code would count a division's records while its linked list
    counted the class's."""

    def clean_industry(self) -> str:
        industry = super().clean_industry()
        if len(industry) > 3:
            raise forms.ValidationError(
                gettext("The dashboard goes down to an industry division, such as %(code)s.")
                % {"code": industry[:3]}
            )
        return industry

    def scope(self) -> Scope | None:
        """The scope the filters ask for, or None when one is wrong (its message shows)."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return Scope(year=data["year"], town=data["town"], industry=data["industry"])
