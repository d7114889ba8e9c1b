"""The award's forms: plain forms, each feeding a service that validates the whole object."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhibiao.awards.criteria import ITEMS
from zhibiao.awards.models import Cycle
from zhibiao.awards.services import CYCLE_FIELDS
from zhibiao.core.forms import model_form_class

CycleForm = model_form_class(
    Cycle,
    CYCLE_FIELDS,
    name="CycleForm",
    widgets={
        "opens_on": forms.DateInput(attrs={"type": "date"}),
        "closes_on": forms.DateInput(attrs={"type": "date"}),
        "decision_due": forms.DateInput(attrs={"type": "date"}),
        "call_text": forms.Textarea(attrs={"rows": 6}),
    },
)


class SiteVisitForm(forms.Form):
    """The visiting team's record; each item's adjusted score is optional."""

    visited_on = forms.DateField(label=_("visited on"), widget=forms.DateInput({"type": "date"}))
    team = forms.CharField(label=_("team"), max_length=200)
    findings = forms.CharField(label=_("findings"), widget=forms.Textarea(attrs={"rows": 4}))
    #: When the record the page showed was last saved; empty when it showed none.
    seen = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def adjusted(self, data) -> dict[str, str]:
        """The adjusted scores posted, item by item (`adjust-4.1.2`); empty ones are left out."""
        return {
            item.code: data.get(f"adjust-{item.code}", "").strip()
            for item in ITEMS
            if data.get(f"adjust-{item.code}", "").strip()
        }


class ProfileForm(forms.Form):
    """The organisational profile as the entry page posts it, with when the entry was last saved
    as the page showed it (`services.save_profile`'s `seen`)."""

    profile = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    seen = forms.DateTimeField(required=False, widget=forms.HiddenInput)
