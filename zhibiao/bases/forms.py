"""Forms of the base pages; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhibiao.bases.models import Batch, Capability, EvaluationResult, Nomination
from zhibiao.bases.services import CAPABILITY_FIELDS, NOMINATION_FIELDS
from zhibiao.core.forms import DateInput, StepForm, model_form_class
from zhibiao.core.workflow import REASON_MAX
from zhibiao.core.years import validate_plausible_date

CapabilityForm = model_form_class(Capability, CAPABILITY_FIELDS, name="CapabilityForm")

NominationForm = model_form_class(
    Nomination,
    NOMINATION_FIELDS,
    name="NominationForm",
    widgets={
        "statement": forms.Textarea(attrs={"rows": 5}),
        "offer": forms.Textarea(attrs={"rows": 4}),
    },
)


class NominationStepForm(StepForm):
    """Designating a nomination names the batch."""

    batch = forms.ModelChoiceField(label=_("Batch"), queryset=Batch.objects.all(), required=False)


class EvaluationForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    result = forms.ChoiceField(label=_("Result"), choices=EvaluationResult.choices)
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


class EvaluationCorrectionForm(forms.Form):
    """A recorded evaluation's new result and comment, why they change, and the revision the
    page showed (a colleague's correction since is refused rather than undone). The reason is
    optional here so that the service's own message says what is missing."""

    result = forms.ChoiceField(label=_("Result"), choices=EvaluationResult.choices)
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=REASON_MAX,
    )
    reason = forms.CharField(
        label=_("Reason for the correction"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=REASON_MAX,
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    @classmethod
    def of(cls, evaluation) -> EvaluationCorrectionForm:
        """The form under one evaluation of the base's page, filled with its current version;
        its ids carry the evaluation's year, as the page shows several."""
        return cls(
            initial={
                "result": evaluation.result,
                "comment": evaluation.comment,
                "revision": evaluation.revision,
            },
            auto_id=f"id_correct_{evaluation.year}_%s",
        )


class BatchForm(forms.Form):
    designated_on = forms.DateField(
        label=_("plaque date"), widget=DateInput(), validators=[validate_plausible_date]
    )
    note = forms.CharField(
        label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
