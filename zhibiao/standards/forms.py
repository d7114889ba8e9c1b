"""Forms of the standards app: search, import, the validity check, declarations, leaders,
group standards. Plain forms; the services validate the objects."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.core.forms import DateInput, ImportFileForm, model_form_class, seen_revision
from zhibiao.directory import uscc
from zhibiao.directory.models import Organisation, OrganisationKind
from zhibiao.standards.models import (
    AnnouncementKind,
    Direction,
    IndicatorKind,
    LeaderScheme,
    Level,
    Status,
)


def _with_all(choices, label) -> list[tuple[str, str]]:
    return [("", label), *choices]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Code or title words"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "GB/T 42061-2022 · 医疗器械 质量管理"}),
    )
    level = forms.ChoiceField(
        label=_("Level"), choices=_with_all(Level.choices, _("All levels")), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=_with_all(Status.choices, _("Any status")), required=False
    )


class ImportForm(ImportFileForm):
    columns = _(
        "CSV, Excel (.xlsx) or JSON. Columns: 标准号, 标准名称, 英文名称, 状态, 发布日期, "
        "实施日期, 废止日期, 代替标准, 被代替标准, ICS, CCS …"
    )


class AnnouncementForm(ImportFileForm):
    """An announcement table with what identifies the announcement (issue 15)."""

    columns = _(
        "CSV, Excel (.xlsx), Word (.docx) or Markdown table. Columns: 序号, 标准编号, 标准名称, "
        "代替标准号 (several separated by 、), 批准日期, 实施日期; a withdrawal list: 废止日期."
    )
    kind = forms.ChoiceField(label=_("Kind of announcement"), choices=AnnouncementKind.choices)
    number = forms.CharField(
        label=_("Announcement number"),
        max_length=100,
        help_text=_("As published, such as 2024年第32号."),
    )
    date = forms.DateField(label=_("Announcement date"), widget=DateInput())
    issuer = forms.CharField(label=_("Issued by"), max_length=200, required=False)


class CheckForm(forms.Form):
    file = forms.FileField(
        label=_("Document"),
        required=False,
        help_text=_(
            "Word (.docx), Excel (.xlsx), PDF or text (.txt); large files are checked "
            "in the background."
        ),
    )
    text = forms.CharField(
        label=_("Or paste the text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class DeclarationForm(forms.Form):
    product = forms.CharField(label=_("Product"), max_length=200)
    product_category = forms.CharField(label=_("Product category"), max_length=100, required=False)
    standards = forms.CharField(
        label=_("Standards the product follows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One code a line, such as GB/T 42061-2022."),
    )
    own_code = forms.CharField(
        label=_("Own enterprise standard"),
        max_length=80,
        required=False,
        help_text=_("The code of the enterprise's own standard, such as Q/31XXXX 001-2023."),
    )
    own_title = forms.CharField(
        label=_("Title of the own standard"), max_length=200, required=False
    )
    indicators = forms.CharField(
        label=_("Function and performance indicators"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One indicator a line: name, value and unit, and the test method."),
    )
    full_text = forms.CharField(
        label=_("Full text of the own standard"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    statement = forms.CharField(
        label=_("Declaration"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=_(
            "We declare that the product is made and tested according to the standards "
            "above, and we answer for the truth of this declaration."
        ),
    )
    #: The revision an edit page showed (`services.save_declaration`'s `seen`).
    revision = seen_revision()


class FlagForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        help_text=_("Leave empty to name the standards that are no longer in force."),
    )


def _departments():
    return Organisation.objects.filter(kind=OrganisationKind.GOVERNMENT).order_by("name")


class GroupStandardForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=80, help_text=_("Such as T/FXMJ 001-2023."))
    title = forms.CharField(label=_("Title"), max_length=300)
    published_on = forms.DateField(label=_("Publication date"), widget=DateInput())
    effective_on = forms.DateField(
        label=_("Implementation date"), widget=DateInput(), required=False
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # Typed as credit codes, one a line: the order is the drafting order, which a multiple
    # select cannot keep (it submits in list order), and the first is paid as the leader.
    drafters = forms.CharField(
        label=_("Drafting enterprises"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Unified social credit codes, one a line, in drafting order; "
            "the first is the leading drafter."
        ),
    )
    adopted_by = forms.ModelChoiceField(
        label=_("Adopting department"), required=False, queryset=_departments()
    )
    adopted_on = forms.DateField(label=_("Adoption date"), widget=DateInput(), required=False)
    adoption_document = forms.CharField(
        label=_("Adoption document"), max_length=200, required=False
    )
    #: When the adoption was last recorded as the page showed it (`services.record_adoption`'s
    #: `seen`), as an ISO timestamp: its microseconds tell two saves within a second apart.
    seen = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["adopted_by"].queryset = _departments()

    def clean_drafters(self) -> list[Organisation]:
        codes = [uscc.normalise(line) for line in self.cleaned_data["drafters"].split()]
        found = Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE, uscc__in=codes)
        by_code = {organisation.uscc: organisation for organisation in found}
        unknown = [code for code in codes if code not in by_code]
        if unknown:
            raise forms.ValidationError(
                gettext("No enterprise is registered with: %(codes)s.")
                % {"codes": "、".join(unknown)}
            )
        if len(set(codes)) != len(codes):
            raise forms.ValidationError(gettext("An enterprise is listed twice."))
        return [by_code[code] for code in codes]


class AdoptionForm(forms.Form):
    adopted_by = forms.ModelChoiceField(label=_("Adopting department"), queryset=_departments())
    adopted_on = forms.DateField(label=_("Adoption date"), widget=DateInput())
    adoption_document = forms.CharField(
        label=_("Adoption document"), max_length=200, required=False
    )
    #: When the adoption was last recorded as the page showed it (`services.record_adoption`'s
    #: `seen`), as an ISO timestamp: its microseconds tell two saves within a second apart.
    seen = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["adopted_by"].queryset = _departments()


def entry_form(scheme: LeaderScheme) -> type[forms.Form]:
    """A form with one field per indicator of the evaluation."""
    fields: dict[str, forms.Field] = {
        "product": forms.CharField(label=_("Product"), max_length=200)
    }
    for indicator in scheme.indicators.all():
        name = f"indicator_{indicator.pk}"
        if indicator.kind == IndicatorKind.CORE:
            fields[name] = forms.DecimalField(
                label=f"{indicator.name}（{indicator.unit}）",
                max_digits=14,
                decimal_places=4,
                help_text=f"{indicator.get_direction_display()} · "
                f"{indicator.threshold.normalize()} {indicator.unit}",
            )
        elif indicator.kind == IndicatorKind.BASIC:
            fields[name] = forms.BooleanField(label=indicator.name, required=False)
        else:
            fields[name] = forms.CharField(label=indicator.name, max_length=300, required=False)
    return type("EntryForm", (forms.Form,), fields)


SchemeForm = model_form_class(
    LeaderScheme,
    ["title", "product_category", "year", "basis", "leader_count"],
    name="SchemeForm",
)


class IndicatorRowForm(forms.Form):
    """One indicator of a new evaluation; a row left empty is not an indicator."""

    name = forms.CharField(label=_("Indicator"), max_length=100)
    # Not required here: an untouched row posts its selects empty and is left out; a named
    # row without a kind is refused by the service, on this field.
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *IndicatorKind.choices], required=False
    )
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=[("", "—"), *Direction.choices], required=False
    )
    threshold = forms.DecimalField(
        label=_("Threshold"), max_digits=14, decimal_places=4, required=False
    )
    threshold_source = forms.CharField(label=_("Threshold source"), max_length=80, required=False)


#: Eight rows: three core indicators at least, basic and innovation ones beside them.
IndicatorRows = forms.formset_factory(IndicatorRowForm, extra=8, max_num=30, validate_max=True)
