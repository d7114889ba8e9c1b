"""Forms of the directory: the register's filter, organisation and person editing, import."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.core.forms import DateInput, ImportFileForm, model_form_class, seen_revision
from zhibiao.core.years import FIRST_YEAR, LAST_YEAR
from zhibiao.directory import uscc
from zhibiao.directory.models import Industry, Organisation, OrganisationKind, Person, Town
from zhibiao.directory.services import PERSON_FIELDS, organisation_fields_for

_USCC_FRAGMENT = re.compile(r"^[0-9A-Z]{4,18}$")


def _with_all(choices, label) -> list[tuple[str, str]]:
    return [("", label), *choices]


def clean_industry_filter(value: str) -> str:
    """A section letter (C) or a known division or finer code (C27, C2711), normalised."""
    value = value.strip().upper()
    if not value:
        return ""
    if re.fullmatch(r"[A-T]", value):
        if not Industry.objects.filter(code=value, level="section").exists():
            raise ValidationError(gettext("Unknown industry section “%(v)s”.") % {"v": value})
        return value
    return Industry.objects.normalise_code(value)


def clean_industry_list(text: str) -> str:
    """Industries a provider or an expert serves, as matching reads them: GB/T 4754 sections
    (C) or divisions (C27), comma-separated. A finer code (C2711) counts as its division, since
    a demand is matched by division; an unknown code is refused by name, not kept to match
    nothing."""
    codes: list[str] = []
    refused: list[str] = []
    for piece in re.split(r"[,，、;；\s]+", text or ""):
        if not piece.strip():
            continue
        try:
            code = clean_industry_filter(piece)
        except ValidationError:
            refused.append(piece.strip())
            continue
        code = code[:3]  # a section stays a letter; a finer code counts as its division
        if code not in codes:
            codes.append(code)
    if refused:
        raise ValidationError(
            gettext(
                "Not GB/T 4754 sections or divisions: %(codes)s (write a letter such as C, or a "
                "division such as C27)."
            )
            % {"codes": "、".join(refused)}
        )
    return ", ".join(codes)


class _TownAndIndustry(forms.Form):
    """Where an enterprise is: its town, and its industry as a GB/T 4754 section or division."""

    town = forms.ChoiceField(
        label=_("Town"), choices=_with_all(Town.choices, _("All towns")), required=False
    )
    industry = forms.CharField(
        label=_("Industry"),
        max_length=5,
        required=False,
        help_text=_("A section letter (C) or a division (C27)."),
    )

    def clean_industry(self) -> str:
        return clean_industry_filter(self.cleaned_data["industry"])


class PlaceFilterForm(_TownAndIndustry):
    """Year, town and industry: the filters the dashboard passes on to the lists behind its
    figures, so that a figure and the list it links to select the same records."""

    year = forms.IntegerField(label=_("Year"), required=False)
    field_order = ["year", "town", "industry"]

    def __init__(self, data=None, *args, **kwargs):
        # Only the form's own keys count; a list's other parameters are no concern of it.
        if data is not None:
            data = {key: data.get(key, "") for key in ("year", "town", "industry") if key in data}
        super().__init__(data, *args, **kwargs)

    def clean_year(self) -> int | None:
        year = self.cleaned_data["year"]
        if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValidationError(
                gettext("The year must be between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        return year

    @property
    def active(self) -> bool:
        return bool(self.is_bound and self.data)

    def narrow(
        self, queryset: QuerySet, organisation: str, date: str = "", year_field: str = ""
    ) -> QuerySet:
        """Keep the records of the year (by the `date` or the integer `year_field`), town and
        industry (of `organisation`); an invalid filter yields no rows rather than all of them."""
        if not self.active:
            return queryset
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["year"] is not None and date:
            queryset = queryset.filter(**{f"{date}__year": data["year"]})
        elif data["year"] is not None and year_field:
            queryset = queryset.filter(**{year_field: data["year"]})
        if data["town"]:
            queryset = queryset.filter(**{f"{organisation}__town": data["town"]})
        if data["industry"]:
            industry = {f"{organisation}__industry__startswith": data["industry"]}
            queryset = queryset.filter(**industry)
        return queryset


class OrganisationFilterForm(_TownAndIndustry):
    """The register's search: by name or code, kind, town, industry (section or division)."""

    q = forms.CharField(label=_("Name or credit code"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=_with_all(OrganisationKind.choices, _("All kinds")), required=False
    )
    field_order = ["q", "kind", "town", "industry"]

    def filter(self, queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
        """Apply the valid filters; an invalid filter yields no rows rather than all of them."""
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["q"]:
            query = data["q"].strip()
            condition = Q(name__icontains=query)
            if len(query) == 2 and connection.vendor == "postgresql":
                # Two characters make no trigram: the bigram index finds the candidates
                # (directory migration 0004), the LIKE above stays the test.
                condition &= Q(
                    RawSQL(
                        'directory_bigrams(UPPER("directory_organisation"."name")) '
                        "@> ARRAY[UPPER(%s)]",
                        [query],
                        output_field=BooleanField(),
                    )
                )
            code = uscc.normalise(query)
            if _USCC_FRAGMENT.match(code) and any(char.isdigit() for char in code):
                condition |= Q(uscc__startswith=code)
            queryset = queryset.filter(condition)
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["town"]:
            queryset = queryset.filter(town=data["town"])
        if data["industry"]:
            queryset = queryset.filter(industry__startswith=data["industry"])
        return queryset


def organisation_form(actor, *, edit: bool = False) -> type[forms.Form]:
    """The form shows only the fields this actor may change; an edit's also carries the
    revision the page showed (`services.update_organisation`'s `seen`)."""
    fields = model_form_class(
        Organisation,
        organisation_fields_for(actor),
        name="OrganisationForm",
        widgets={"founded_on": DateInput(), "description": forms.Textarea(attrs={"rows": 4})},
    )
    if not edit:
        return fields
    return type("OrganisationEditForm", (fields,), {"revision": seen_revision()})


PersonForm = model_form_class(Person, PERSON_FIELDS, name="PersonForm")


class PersonEditForm(PersonForm):  # type: ignore[misc,valid-type]
    """A contact person's fields, and the revision the page showed (`services.update_person`)."""

    revision = seen_revision()


class ImportForm(ImportFileForm):
    columns = _(
        "CSV or Excel (.xlsx). The first row holds the headers: 名称, 统一社会信用代码, "
        "类型, 镇（街道）, 所有制, 行业代码, 规模, 成立日期 …"
    )
