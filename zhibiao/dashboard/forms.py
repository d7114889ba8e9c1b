"""The dashboard's filters: the lists' year, town and industry, read into a Scope."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext

from zhibiao.dashboard.scope import Scope
from zhibiao.dashboard.services import may_narrow
from zhibiao.directory.forms import PlaceFilterForm


class DashboardFilterForm(PlaceFilterForm):
    """The figures are kept by industry division, so the dashboard goes down to a division
    (C27) and no finer: a finer code would count a division's records while its linked list
    counted the class's.

    Narrowing to a town or an industry is district staff's
    (zhibiao.dashboard.services.may_narrow)."""

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        #: Whether the user may narrow the figures at all: the page offers the filters only then.
        self.may_narrow = may_narrow(user)

    def clean(self) -> dict:
        data = super().clean()
        narrowed = [name for name in ("town", "industry") if data.get(name)]
        if narrowed and not self.may_narrow:
            for name in narrowed:
                self.add_error(
                    name,
                    gettext(
                        "Only district staff narrow the figures to a town or an industry: a "
                        "small one would show a single enterprise's figures."
                    ),
                )
        return data

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
