"""API of the satisfaction figures, per event and per host."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from zhibiao.accounts.api_auth import required_auth
from zhibiao.accounts.permissions import is_district_admin
from zhibiao.core.apischema import DbInt, Id
from zhibiao.events import services
from zhibiao.events.api.events import _hosted

router = Router(auth=required_auth)


class FiguresOut(Schema):
    registered: int
    attendees: int
    no_shows: int
    responses: int
    satisfaction: float | None
    usefulness: float | None


class HostFiguresOut(FiguresOut):
    host_kind: str
    host_id: int | None
    name: str
    events: int


@router.get(
    "/{int:event_id}/figures",
    response=FiguresOut,
    summary="Attendance and satisfaction of an event (its host)",
)
def figures(request: HttpRequest, event_id: Id):
    event = get_object_or_404(_hosted(request), pk=event_id)
    return services.event_figures([event]).get(event.pk, services.Satisfaction())


@router.get(
    "/figures/hosts",
    response=list[HostFiguresOut],
    summary="Attendance and satisfaction per host (district staff)",
)
def host_figures(request: HttpRequest, year: DbInt | None = None):
    if not is_district_admin(request.auth):
        raise PermissionDenied
    return services.host_figures(year)
