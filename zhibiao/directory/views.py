"""Pages of the directory. Thin: scoping comes from the querysets, changes from services."""

from __future__ import annotations

from functools import partial

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import role_required
from zhibiao.core.exports import wants_xlsx, xlsx_response
from zhibiao.core.forms import imported, submitted
from zhibiao.core.pagination import paginate, query_without_page
from zhibiao.core.permissions import can
from zhibiao.core.tabular import read_table
from zhibiao.directory import services
from zhibiao.directory.forms import (
    ImportForm,
    OrganisationFilterForm,
    PersonEditForm,
    PersonForm,
    organisation_form,
)
from zhibiao.directory.models import (
    Organisation,
    OrganisationKind,
    Ownership,
    Person,
    Town,
    Zone,
    industry_names,
)


@role_required()
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationFilterForm(request.GET or None)
    queryset = Organisation.objects.restrict(request.user, "view")
    if request.GET:
        queryset = form.filter(queryset)
    if wants_xlsx(request):
        return export_organisations(queryset)
    context = {
        "form": form,
        "page": paginate(request, queryset),
        "query": query_without_page(request),
    }
    template = (
        "directory/_organisation_results.html"
        if request.headers.get("HX-Request")
        else "directory/organisation_list.html"
    )
    return render(request, template, context)


def export_organisations(queryset) -> HttpResponse:
    """The filtered register as a sheet: public fields only, streamed from the database. Not
    `export_list`: at 100,000 rows, reading tuples and translating each choice once matters."""
    labels = {  # translated once, not once a row
        name: {value: str(label) for value, label in choices}
        for name, choices in (
            ("kind", OrganisationKind.choices),
            ("town", Town.choices),
            ("zone", Zone.choices),
            ("ownership", Ownership.choices),
        )
    }
    names = industry_names()
    rows = (
        (
            name,
            code,
            labels["kind"].get(kind, kind),
            labels["town"].get(town, town),
            labels["zone"].get(zone, zone),
            labels["ownership"].get(ownership, ownership),
            industry,
            names.get(industry, "") if industry else "",
            founded,
        )
        for name, code, kind, town, zone, ownership, industry, founded in queryset.order_by("pk")
        .values_list("name", "uscc", "kind", "town", "zone", "ownership", "industry", "founded_on")
        .iterator(chunk_size=5000)
    )
    headers = [
        gettext("Name"),
        gettext("Unified social credit code"),
        gettext("Kind"),
        gettext("Town"),
        gettext("Development zone"),
        gettext("Ownership"),
        gettext("Industry"),
        gettext("Industry name"),
        gettext("Founding date"),
    ]
    return xlsx_response("organisations.xlsx", headers, rows, title=gettext("Organisations"))


@role_required()
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = Organisation.objects.get_for(request.user, "view", pk)
    may_see_private = can(request.user, "view_private", organisation)
    context = {
        "organisation": organisation,
        "may_see_private": may_see_private,
        "people": organisation.people.all() if may_see_private else None,
        # Through the bases' own rule: a removed base is staff's to see, not every visitor's.
        "bases": organisation.training_bases.restrict(request.user, "view").select_related("batch"),
    }
    return render(request, "directory/organisation_detail.html", context)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    form_class = organisation_form(request.user)
    form = form_class(request.POST or None)
    save = partial(services.create_organisation, request.user)
    if organisation := submitted(request, form, save, gettext("The organisation was registered.")):
        return redirect(organisation)
    return render(request, "directory/organisation_form.html", {"form": form})


@role_required()
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.restrict(request.user, "change"), pk=pk)
    form_class = organisation_form(request.user, edit=True)
    # The row as it is now: a page that showed this revision changed what differs from it; a
    # page that showed an older one is refused by the service rather than compared here.
    initial = {name: getattr(organisation, name) for name in form_class.base_fields}
    form = form_class(request.POST or None, initial=initial)
    save = partial(services.update_organisation, request.user, organisation)
    done = gettext("Your changes were saved.")
    if submitted(request, form, save, done, changed_only=True, seen="revision"):
        return redirect(organisation)
    return render(
        request, "directory/organisation_form.html", {"form": form, "organisation": organisation}
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def organisation_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)

    def run(upload):
        table = read_table(upload)
        return services.import_organisations(request.user, table.headers, table.rows)

    def done(result) -> str:
        return gettext(
            "Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged."
        ) % vars(result)

    result, saved = imported(request, form, run, done)
    if saved:
        return redirect("directory:organisations")
    return render(request, "directory/organisation_import.html", {"form": form, "result": result})


@role_required()
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    organisation = get_object_or_404(
        Organisation.objects.restrict(request.user, "change"), pk=organisation_pk
    )
    form = PersonForm(request.POST or None)
    save = partial(services.create_person, request.user, organisation)
    if submitted(request, form, save, gettext("The person was added.")):
        return redirect(organisation)
    return render(
        request, "directory/person_form.html", {"form": form, "organisation": organisation}
    )


@role_required()
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(
        Person.objects.restrict(request.user, "view").select_related("organisation"), pk=pk
    )
    initial = {name: getattr(person, name) for name in PersonEditForm.base_fields}
    form = PersonEditForm(request.POST or None, initial=initial)
    save = partial(services.update_person, request.user, person)
    done = gettext("Your changes were saved.")
    if submitted(request, form, save, done, changed_only=True, seen="revision"):
        return redirect(person.organisation)
    return render(
        request,
        "directory/person_form.html",
        {"form": form, "organisation": person.organisation, "person": person},
    )
