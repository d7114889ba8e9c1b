"""API of the news, mounted at /news (`zhibiao.api`). The operation ids still name the events
app, where the news began, so that the OpenAPI document does not change."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from zhibiao.accounts.api_auth import optional_auth, required_auth
from zhibiao.accounts.permissions import is_district_admin
from zhibiao.bases.models import Batch, TrainingBase
from zhibiao.core.apischema import DbInt, Id, Payload, paginate
from zhibiao.core.records import named_records
from zhibiao.events.models import Event
from zhibiao.news import services
from zhibiao.news.models import NewsItem
from zhibiao.policies.models import PolicyDocument

router = Router(tags=["news"], auth=optional_auth)


class NewsOut(Schema):
    id: int
    title: str
    published_on: datetime.date
    source: str
    summary: str
    event_ids: list[int]
    policy_ids: list[int]
    batch_numbers: list[int]
    base_ids: list[int]

    @staticmethod
    def resolve_event_ids(obj) -> list[int]:
        return [e.pk for e in obj.events.all()]

    @staticmethod
    def resolve_policy_ids(obj) -> list[int]:
        return [p.pk for p in obj.policies.all()]

    @staticmethod
    def resolve_batch_numbers(obj) -> list[int]:
        return [b.number for b in obj.batches.all()]

    @staticmethod
    def resolve_base_ids(obj) -> list[int]:
        return [b.pk for b in obj.bases.all()]


class NewsDetailOut(NewsOut):
    body: str
    is_published: bool


class NewsIn(Payload):
    title: str
    published_on: datetime.date
    source: str = ""
    summary: str = ""
    body: str
    is_published: bool = True
    event_ids: list[Id] = []
    policy_ids: list[Id] = []
    batch_numbers: list[DbInt] = []
    base_ids: list[Id] = []


def _news_data(payload: NewsIn) -> dict:
    """The payload as the service takes it; an id that names nothing is a 422 on its field."""
    found = named_records(
        {
            "event_ids": (Event, payload.event_ids),
            "policy_ids": (PolicyDocument, payload.policy_ids),
            "batch_numbers": (Batch, payload.batch_numbers, "number"),
            "base_ids": (TrainingBase, payload.base_ids),
        }
    )
    data = payload.dict(exclude=set(found))
    for field, name in (
        ("event_ids", "events"),
        ("policy_ids", "policies"),
        ("batch_numbers", "batches"),
        ("base_ids", "bases"),
    ):
        data[name] = found[field]
    return data


def _news(request: HttpRequest):

    return NewsItem.objects.restrict(request.auth, "view").prefetch_related(
        Prefetch("events", queryset=Event.objects.restrict(request.auth, "view")),
        Prefetch("policies", queryset=PolicyDocument.objects.restrict(request.auth, "view")),
        "batches",
        Prefetch("bases", queryset=TrainingBase.objects.restrict(request.auth, "view")),
    )


@router.get("", response=list[NewsOut], summary="News")
@paginate
def list_news(request: HttpRequest):
    return _news(request)


@router.get("/{int:news_id}", response=NewsDetailOut, summary="One news item")
def get_news(request: HttpRequest, news_id: Id):
    return get_object_or_404(_news(request), pk=news_id)


@router.post(
    "",
    response={201: NewsDetailOut},
    auth=required_auth,
    summary="Write a news item (staff)",
)
def create_news(request: HttpRequest, payload: NewsIn):
    if not is_district_admin(request.auth):  # before the ids are looked up
        raise PermissionDenied
    item = services.save_news(request.auth, None, _news_data(payload))
    return 201, _news(request).get(pk=item.pk)


@router.put(
    "/{int:news_id}",
    response=NewsDetailOut,
    auth=required_auth,
    summary="Correct a news item",
)
def update_news(request: HttpRequest, news_id: Id, payload: NewsIn):
    if not is_district_admin(request.auth):
        raise PermissionDenied
    item = get_object_or_404(NewsItem, pk=news_id)
    services.save_news(request.auth, item, _news_data(payload))
    return _news(request).get(pk=item.pk)
