"""Forms of the measures: the clause editor, clause settings, rule-file import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from zhibiao.core.years import validate_plausible_date
from zhibiao.measures.models import Mode


class VersionForm(forms.Form):
    text = forms.CharField(
        label=_("Rule text (YAML)"),
        widget=forms.Textarea(attrs={"rows": 28, "spellcheck": "false", "class": "code"}),
        max_length=50_000,
    )
    change_note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class ClauseSettingsForm(forms.Form):
    mode = forms.ChoiceField(label=_("How it is granted"), choices=Mode.choices)
    needs_review = forms.BooleanField(label=_("Expert review"), required=False)


class RuleFileForm(forms.Form):
    file = forms.FileField(label=_("Rule file (YAML)"))


class ScreeningForm(forms.Form):
    as_of = forms.DateField(
        label=_("As of"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_plausible_date],
    )
