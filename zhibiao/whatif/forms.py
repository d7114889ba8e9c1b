"""Forms of the scenarios: starting one, a draft, saving, a budget."""

from django import forms
from django.utils.translation import gettext_lazy as _

from zhibiao.core.years import FIRST_YEAR, LAST_YEAR
from zhibiao.whatif.models import BUDGET_MAX


class StartForm(forms.Form):
    title = forms.CharField(label=_("Title of the scenario"), max_length=120)


class DraftForm(forms.Form):
    text = forms.CharField(
        label=_("Rule text (YAML)"),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}),
        max_length=50_000,
        required=False,
    )
    removed = forms.BooleanField(label=_("Remove this clause in the scenario"), required=False)
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class RevisionForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class SaveForm(RevisionForm):
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("What the scenario weighs and why: kept with its figures."),
    )


class BudgetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    clause = forms.ChoiceField(label=_("Clause"), required=False)
    amount = forms.DecimalField(
        label=_("Budget (yuan)"), min_value=0, max_value=BUDGET_MAX, max_digits=16, decimal_places=2
    )

    def __init__(self, *args, clauses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clause"].choices = [("", _("The whole rule book"))] + [
            (code, f"{code} {title}".strip()) for code, title in clauses
        ]
