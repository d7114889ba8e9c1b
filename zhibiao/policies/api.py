"""Public API of the policy documents."""

import datetime

from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from zhibiao.accounts.api_auth import optional_auth
from zhibiao.core.apischema import Id, paginate
from zhibiao.policies.models import PolicyDocument

router = Router(tags=["policies"], auth=optional_auth)


class IssuerOut(Schema):
    id: int
    name: str


class PolicyOut(Schema):
    id: int
    title: str
    doc_number: str
    level: str
    level_name: str = Field(alias="get_level_display")
    issuers: list[IssuerOut]
    issue_date: datetime.date
    effective_from: datetime.date
    effective_to: datetime.date | None
    in_force: bool = Field(alias="is_in_force")
    implements_id: int | None

    @staticmethod
    def resolve_implements_id(obj) -> int | None:
        return obj.implements.pk if obj.implements else None  # a draft it implements is hidden

    summary: str


class PolicyDetailOut(PolicyOut):
    full_text: str
    text_note: str


def _documents(request: HttpRequest):
    visible = PolicyDocument.objects.restrict(request.auth, "view")
    return visible.prefetch_related("issuers", Prefetch("implements", queryset=visible))


@router.get("", response=list[PolicyOut], summary="Policy documents")
@paginate
def list_policies(request: HttpRequest):
    return _documents(request)


@router.get("/{int:policy_id}", response=PolicyDetailOut, summary="One policy document")
def get_policy(request: HttpRequest, policy_id: Id):
    return get_object_or_404(_documents(request), pk=policy_id)
