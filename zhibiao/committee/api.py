"""Public API of the working committee."""

import datetime

from django.db.models import Count, Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema

from zhibiao.accounts.api_auth import optional_auth
from zhibiao.committee.models import Committee, CommitteeMember
from zhibiao.core.apischema import Id, paginate

router = Router(tags=["committee"], auth=optional_auth)


class CommitteeOut(Schema):
    id: int
    name: str
    founded_on: datetime.date
    founding_document_id: int | None
    description: str
    member_count: int

    @staticmethod
    def resolve_founding_document_id(obj: Committee) -> int | None:
        return obj.founding_document.pk if obj.founding_document else None  # a draft is hidden


class MemberOut(Schema):
    id: int
    name: str = Field(alias="person.name")
    title: str = Field(alias="person.title")
    organisation_id: int = Field(alias="person.organisation_id")
    organisation_name: str = Field(alias="person.organisation.name")
    sector: str
    sector_name: str = Field(alias="get_sector_display")
    position: str
    position_name: str = Field(alias="get_position_display")
    expertise: list[str]
    term_start: datetime.date
    term_end: datetime.date | None

    @staticmethod
    def resolve_expertise(obj: CommitteeMember) -> list[str]:
        return [tag.name for tag in obj.expertise.all()]


def _members(user):
    return (
        CommitteeMember.objects.restrict(user, "view")
        .select_related("person__organisation")
        .prefetch_related("expertise")
    )


@router.get("", response=list[CommitteeOut], summary="Working committees")
@paginate
def list_committees(request: HttpRequest):
    today = timezone.localdate()
    current = Q(members__term_start__lte=today) & (
        Q(members__term_end__isnull=True) | Q(members__term_end__gte=today)
    )
    return Committee.objects.shown_to(request.auth).annotate(
        member_count=Count("members", filter=current)
    )


@router.get("/members", response=list[MemberOut], summary="Current committee members")
@paginate
def list_members(request: HttpRequest, sector: str | None = None):
    members = _members(request.auth).current()
    if sector:
        members = members.filter(sector=sector)
    return members


@router.get("/members/{int:member_id}", response=MemberOut, summary="One committee member")
def get_member(request: HttpRequest, member_id: Id):
    return get_object_or_404(_members(request.auth), pk=member_id)
