"""Public API of the training bases."""

import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from zhibiao.accounts.api_auth import optional_auth
from zhibiao.bases.models import TrainingBase

router = Router(tags=["training bases"], auth=optional_auth)


class CapabilityOut(Schema):
    id: int
    kind: str
    kind_name: str = Field(alias="get_kind_display")
    title: str
    description: str


class BatchOut(Schema):
    number: int
    name: str
    designated_on: datetime.date


class BaseOut(Schema):
    id: int
    name: str = Field(alias="organisation.name")
    organisation_id: int
    town: str = Field(alias="organisation.town")
    town_name: str = Field(alias="organisation.get_town_display")
    batch: BatchOut
    status: str
    status_name: str = Field(alias="get_status_display")
    plaque_date: datetime.date
    description: str
    capabilities: list[CapabilityOut]


def _bases():
    return (
        TrainingBase.objects.listed()
        .select_related("organisation", "batch")
        .prefetch_related("capabilities")
    )


@router.get("", response=list[BaseOut], summary="Training bases")
@paginate
def list_bases(request: HttpRequest, batch: int | None = None, status: str | None = None):
    bases = _bases()
    if batch is not None:
        bases = bases.filter(batch__number=batch)
    if status:
        bases = bases.filter(status=status)
    return bases


@router.get("/{int:base_id}", response=BaseOut, summary="One training base")
def get_base(request: HttpRequest, base_id: int):
    return get_object_or_404(_bases(), pk=base_id)
