"""Forms of the application pages; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from zhibiao.applications.models import Objection, Recommendation
from zhibiao.core.forms import BoundedModelMultipleChoiceField, StepForm, yuan_field


class ApplicationStepForm(StepForm):
    """Approving may set the amount; recording the payment gives its reference."""

    amount = yuan_field(_("Approved amount (yuan)"), max_digits=14)
    payment_reference = forms.CharField(
        label=_("Payment reference"), required=False, max_length=100
    )


class StatementForm(forms.Form):
    statement = forms.CharField(
        label=_("Statement"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=5000,
        help_text=_("Your own words for the committee; prefilled from your records."),
    )


class EvidenceForm(forms.Form):
    item = forms.CharField(label=_("Evidence item"), max_length=200)
    file = forms.FileField(label=_("File"), help_text=_("PDF, Word, Excel, JPEG or PNG."))


class AssignForm(forms.Form):
    reviewers = BoundedModelMultipleChoiceField(
        label=_("Experts"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, experts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = experts


class ReviewForm(forms.Form):
    """An expert's review. The recommendation starts empty: a preselected "Approve" would be
    the platform's opinion, sent by an expert who never chose it."""

    score = forms.IntegerField(label=_("Score (0–100)"), min_value=0, max_value=100)
    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        choices=[("", _("Choose approve or reject")), *Recommendation.choices],
        error_messages={"required": _("Recommend approval or rejection.")},
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("Objection"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(label=_("Resolution"), choices=Objection.Resolution.choices)
    note = forms.CharField(
        label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
