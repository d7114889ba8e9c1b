"""Forms of the event pages; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import is_district_admin
from zhibiao.bases.models import TrainingBase
from zhibiao.core.forms import model_form_class
from zhibiao.directory import uscc
from zhibiao.directory.models import Organisation, OrganisationKind, Town
from zhibiao.events.models import CheckInMethod, Event, HostKind, Speaker
from zhibiao.events.services import (
    EVENT_FIELDS,
    HOST_FIELDS,
    SPEAKER_FIELDS,
)


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker (native on phones); the value stays ISO 8601."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


_DATETIMES = ["starts_at", "ends_at", "registration_opens_at", "registration_closes_at"]
_PLAIN = [name for name in EVENT_FIELDS if name not in ("audience_towns", "audience_roles")]
_EventFields = model_form_class(
    Event,
    _PLAIN,
    name="_EventFields",
    widgets={
        **{name: DateTimeInput() for name in _DATETIMES},
        "description": forms.Textarea(attrs={"rows": 4}),
    },
)


class EventForm(_EventFields):
    audience_towns = forms.MultipleChoiceField(
        label=_("towns invited"),
        choices=Town.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audience_roles = forms.MultipleChoiceField(
        label=_("roles invited"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audience_usccs = forms.CharField(
        label=_("enterprises invited"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Unified social credit codes, one per line."),
    )

    def clean_audience_usccs(self) -> list[Organisation]:
        codes = [uscc.normalise(line) for line in self.cleaned_data["audience_usccs"].split()]
        found = {o.uscc: o for o in Organisation.objects.filter(uscc__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise ValidationError(
                gettext("No organisation has these codes: %(codes)s.")
                % {"codes": "、".join(unknown)}
            )
        return list(found.values())


_HostFields = model_form_class(Event, HOST_FIELDS, name="_HostFields")


class AdminEventForm(EventForm):
    """District staff also choose the host: the district, a training base or a chamber."""

    host_kind = _HostFields.base_fields["host_kind"]
    host_base = forms.ModelChoiceField(
        label=_("host training base"),
        queryset=TrainingBase.objects.none(),
        required=False,
    )
    host_chamber = forms.ModelChoiceField(
        label=_("host chamber"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_kind"].required = False
        self.fields["host_kind"].initial = HostKind.DISTRICT
        self.fields["host_base"].queryset = TrainingBase.objects.listed().select_related(
            "organisation"
        )
        self.fields["host_chamber"].queryset = Organisation.objects.filter(
            kind=OrganisationKind.CHAMBER
        )

    def clean_host_kind(self) -> str:
        return self.cleaned_data["host_kind"] or HostKind.DISTRICT


def event_form(user, *args, **kwargs) -> EventForm:

    form_class = AdminEventForm if is_district_admin(user) else EventForm
    return form_class(*args, **kwargs)


def initial_for(event: Event) -> dict:
    names = [*EVENT_FIELDS, *HOST_FIELDS]
    initial = {name: getattr(event, name) for name in names}
    initial["audience_usccs"] = "\n".join(
        event.audience_organisations.exclude(uscc=None).values_list("uscc", flat=True)
    )
    return initial


SpeakerForm = model_form_class(Speaker, SPEAKER_FIELDS, name="SpeakerForm")


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title of the material"), max_length=200)
    file = forms.FileField(label=_("File"), help_text=_("PDF, Word, Excel, JPEG or PNG."))


class AttendeeForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    is_self = forms.BooleanField(label=_("This is me"), required=False)


AttendeeFormSet = forms.formset_factory(AttendeeForm, extra=3, max_num=50, absolute_max=50)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=300,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        help_text=_("Type the code under the QR code, or scan it."),
    )
    method = forms.ChoiceField(
        choices=[(CheckInMethod.TYPED, ""), (CheckInMethod.SCAN, "")],
        widget=forms.HiddenInput,
        initial=CheckInMethod.TYPED,
        required=False,
    )


class SheetForm(forms.Form):
    file = forms.FileField(
        label=_("Attendance sheet"),
        help_text=_(
            "xlsx or CSV with the columns 姓名 and 手机号 (and 签到, where only marked rows count)."
        ),
    )


_SCORES = [(str(n), str(n)) for n in range(5, 0, -1)]


class FeedbackForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("overall satisfaction (1–5)"),
        choices=_SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    usefulness = forms.TypedChoiceField(
        label=_("usefulness for your work (1–5)"),
        choices=_SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("comments and suggestions"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
