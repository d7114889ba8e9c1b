"""Public API of the events and their agenda."""

import datetime

from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from zhibiao.accounts.api_auth import optional_auth
from zhibiao.events.models import AgendaItem, Event

router = Router(tags=["events"], auth=optional_auth)


class OrganiserOut(Schema):
    id: int
    name: str


class AgendaPersonOut(Schema):
    name: str
    title: str


class AgendaItemOut(Schema):
    order: int
    kind: str
    kind_name: str = Field(alias="get_kind_display")
    title: str
    description: str
    people: list[AgendaPersonOut]
    committee_id: int | None
    policy_id: int | None
    batch_number: int | None = Field(None, alias="batch.number")


class EventOut(Schema):
    id: int
    kind: str
    kind_name: str = Field(alias="get_kind_display")
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str
    organisers: list[OrganiserOut]


class EventDetailOut(EventOut):
    description: str
    agenda: list[AgendaItemOut]


def _events(request: HttpRequest):
    return Event.objects.visible_to(request.auth).prefetch_related("organisers")


@router.get("", response=list[EventOut], summary="Events")
@paginate
def list_events(request: HttpRequest, kind: str | None = None):
    events = _events(request)
    if kind:
        events = events.filter(kind=kind)
    return events


@router.get("/{int:event_id}", response=EventDetailOut, summary="One event with its agenda")
def get_event(request: HttpRequest, event_id: int):
    agenda = AgendaItem.objects.select_related("batch").prefetch_related("people")
    return get_object_or_404(
        _events(request).prefetch_related(Prefetch("agenda", queryset=agenda)), pk=event_id
    )
