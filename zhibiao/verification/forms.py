from django import forms
from django.utils.translation import gettext_lazy as _

from zhibiao.verification.services import NOTE_MAX


class DecisionForm(forms.Form):
    """Verify or reject one record; a rejection needs a note (checked by the service)."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("verify", _("Verify")), ("reject", _("Reject"))],
        error_messages={
            "required": _("Choose to verify or reject the record."),
            "invalid_choice": _("Choose to verify or reject the record."),
        },
    )
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX, required=False)
    #: When the record was recorded as the queue showed it (`services.verify`'s `seen`).
    seen = forms.DateTimeField(required=False, widget=forms.HiddenInput)
