"""Forms of the supply platform; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.committee.models import Availability
from zhibiao.core.forms import DateInput, StepForm, yuan_field
from zhibiao.directory import uscc
from zhibiao.directory.forms import clean_industry_list
from zhibiao.directory.models import Organisation, Town
from zhibiao.supply.models import Category, Channel, PriceModel, Urgency


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class OfferingForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}))
    price_model = forms.ChoiceField(label=_("Price"), choices=PriceModel.choices)
    indicative_price = yuan_field(_("Indicative price (yuan)"), max_digits=12)
    towns = forms.MultipleChoiceField(
        label=_("Towns served"),
        choices=Town.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the whole district."),
    )
    industries = forms.CharField(
        label=_("Industries served"),
        required=False,
        max_length=200,
        help_text=_(
            "GB/T 4754 sections or divisions, comma-separated, such as C27, C38; empty: any."
        ),
    )
    turnaround_days = forms.IntegerField(
        label=_("Typical turnaround (days)"), min_value=1, max_value=365
    )
    qualifications = forms.CharField(
        label=_("Qualifications"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example CMA or CNAS numbers."),
    )
    is_active = forms.BooleanField(label=_("Listed"), required=False, initial=True)
    #: When the offering was last saved as the page showed it (`services.save_offering`'s
    #: `seen`), as an ISO timestamp: its microseconds tell two saves within a second apart.
    seen = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def clean_industries(self) -> str:
        return clean_industry_list(self.cleaned_data["industries"])


class DemandForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *Category.choices])
    description = forms.CharField(
        label=_("What do you need?"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    desired_date = forms.DateField(label=_("Wanted by"), required=False, widget=DateInput())
    files = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Up to 5 files: PDF, Word, Excel, JPEG or PNG."),
    )


def registered(code: str, message: str) -> Organisation:
    """The organisation a typed credit code names, or a ValidationError with `message`."""
    organisation = Organisation.objects.filter(uscc=uscc.normalise(code)).first()
    if organisation is None:
        raise forms.ValidationError(message)
    return organisation


class StaffDemandForm(DemandForm):
    """Staff post on an enterprise's behalf (after a call or a visit), naming it by its code."""

    enterprise = forms.CharField(label=_("Enterprise's unified social credit code"), max_length=18)
    channel = forms.ChoiceField(
        label=_("Received"), choices=[c for c in Channel.choices if c[0] != Channel.ONLINE]
    )

    def clean_enterprise(self) -> Organisation:
        return registered(
            self.cleaned_data["enterprise"],
            gettext("No enterprise with this credit code is registered."),
        )


class StaffOfferingForm(OfferingForm):
    """Staff publish a service for a provider or a base, named by its code."""

    organisation = forms.CharField(label=_("Provider's unified social credit code"), max_length=18)
    field_order = ["organisation"]

    def clean_organisation(self) -> Organisation:
        return registered(
            self.cleaned_data["organisation"],
            gettext("No organisation with this credit code is registered."),
        )


class DemandStepForm(StepForm):
    """Rating the service gives the rating and a comment."""

    rating = forms.IntegerField(required=False)
    comment = forms.CharField(required=False, max_length=2000)


class ExpertProfileForm(forms.Form):
    availability = forms.ChoiceField(label=_("Availability"), choices=Availability.choices)
    capacity = forms.IntegerField(label=_("Open assignments at most"), min_value=0, max_value=50)
    industries = forms.CharField(
        label=_("Industries"),
        required=False,
        max_length=200,
        help_text=_("GB/T 4754 sections or divisions, comma-separated; empty: any."),
    )
    bio = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )

    def clean_industries(self) -> str:
        return clean_industry_list(self.cleaned_data["industries"])


class ConflictForm(forms.Form):
    uscc = forms.CharField(label=_("Organisation's unified social credit code"), max_length=18)
    reason = forms.CharField(label=_("Reason"), max_length=200)
