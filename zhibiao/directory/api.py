"""API of the directory: organisations (signed-in users) and their people (own or staff)."""

import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from zhibiao.accounts.api_auth import required_auth
from zhibiao.core.apischema import DbInt, Id, Payload, paginate, patch_of
from zhibiao.core.forms import form_errors
from zhibiao.core.permissions import can
from zhibiao.directory import services
from zhibiao.directory.forms import OrganisationFilterForm
from zhibiao.directory.models import Organisation, Person

router = Router(tags=["organisations"], auth=required_auth)


class OrganisationOut(Schema):
    id: int
    kind: str
    kind_name: str = Field(alias="get_kind_display")
    name: str
    uscc: str | None
    town: str
    town_name: str = Field(alias="get_town_display")
    zone: str
    ownership: str
    industry: str
    industry_name: str
    founded_on: datetime.date | None


class PersonOut(Schema):
    id: int
    name: str
    title: str
    phone: str
    email: str


class OrganisationDetailOut(OrganisationOut):
    """Public fields, and the private ones only for its own users and district administrators.

    The endpoint sets `may_see_private` on the object; private fields are null otherwise.
    """

    description: str
    revision: int = Field(
        description="Counted up by every change: send it back with a change (PATCH) so that "
        "a change made since is not overwritten."
    )
    size: str | None = None
    address: str | None = None
    phone: str | None = None
    people: list[PersonOut] | None = None

    @staticmethod
    def resolve_size(obj: Organisation) -> str | None:
        return obj.size if obj.may_see_private else None

    @staticmethod
    def resolve_address(obj: Organisation) -> str | None:
        return obj.address if obj.may_see_private else None

    @staticmethod
    def resolve_phone(obj: Organisation) -> str | None:
        return obj.phone if obj.may_see_private else None

    @staticmethod
    def resolve_people(obj: Organisation) -> list[Person] | None:
        return list(obj.people.all()) if obj.may_see_private else None


class OrganisationIn(Payload):
    kind: str
    name: str
    uscc: str | None = None
    town: str = ""
    zone: str = ""
    ownership: str = ""
    industry: str = ""
    size: str = ""
    founded_on: datetime.date | None = None
    address: str = ""
    phone: str = ""
    description: str = ""


class OrganisationPatch(
    patch_of(OrganisationIn, "OrganisationFields", "An organisation's fields, each optional.")
):
    """What a change sends: only the fields it changes, and the revision it last read."""

    revision: DbInt | None = Field(
        None,
        description="The organisation's revision last read; a stale one is refused (409). "
        "Left out, the fields sent change the organisation as it is now.",
    )


class OrganisationFilter(Schema):
    q: str | None = None
    kind: str | None = None
    town: str | None = None
    industry: str | None = None


def _detail(request: HttpRequest, organisation: Organisation) -> Organisation:
    organisation.may_see_private = can(request.auth, "view_private", organisation)
    return organisation


@router.get("", response=list[OrganisationOut], summary="List organisations")
@paginate
def list_organisations(request: HttpRequest, filters: Query[OrganisationFilter]):
    """Search by name or credit code (`q`), filter by `kind`, `town` and `industry` (C or C27).

    An unknown filter value is refused with 422, naming the field.
    """
    form = OrganisationFilterForm({k: v for k, v in filters.dict().items() if v is not None})
    if not form.is_valid():
        raise form_errors(form)
    return form.filter(Organisation.objects.restrict(request.auth, "view"))


@router.get("/{int:organisation_id}", response=OrganisationDetailOut, summary="One organisation")
def get_organisation(request: HttpRequest, organisation_id: Id):
    organisation = Organisation.objects.get_for(request.auth, "view", organisation_id)
    return _detail(request, organisation)


@router.post("", response={201: OrganisationDetailOut}, summary="Register an organisation")
def create_organisation(request: HttpRequest, payload: OrganisationIn):
    """District administrators only."""
    organisation = services.create_organisation(request.auth, payload.dict())
    return 201, _detail(request, organisation)


@router.patch(
    "/{int:organisation_id}", response=OrganisationDetailOut, summary="Change an organisation"
)
def update_organisation(request: HttpRequest, organisation_id: Id, payload: OrganisationPatch):
    """Administrators change any field; an organisation's own users only size and contacts."""
    organisation = get_object_or_404(
        Organisation.objects.restrict(request.auth, "change"), pk=organisation_id
    )
    data = payload.dict(exclude_unset=True)
    seen = data.pop("revision", None)
    organisation = services.update_organisation(request.auth, organisation, data, seen=seen)
    return _detail(request, organisation)


@router.get(
    "/{int:organisation_id}/people", response=list[PersonOut], summary="An organisation's people"
)
def list_people(request: HttpRequest, organisation_id: Id):
    organisation = get_object_or_404(
        Organisation.objects.restrict(request.auth, "view_private"), pk=organisation_id
    )
    return Person.objects.filter(organisation=organisation)
