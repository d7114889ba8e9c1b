"""API of the district quality award, for district staff and the committee's experts: the
cycles, the entries (staff all, an expert those assigned), an expert's item score, and the steps
of a cycle or an entry (409 when the stage does not allow it now, as every machine answers)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from zhibiao.accounts.api_auth import required_auth
from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import is_district_admin
from zhibiao.awards import services
from zhibiao.awards.models import Assignment, Cycle, Entry
from zhibiao.awards.services import ItemResult
from zhibiao.core.apischema import DbInt, Id, Payload, paginate
from zhibiao.core.steps import NextStepsOut, StepIn

router = Router(tags=["quality award"], auth=required_auth)


def _staff_or_expert(request: HttpRequest) -> None:
    """The award's API is the committee's work: staff and experts only (403 otherwise)."""
    user = request.auth
    if not (is_district_admin(user) or user.role == Role.EXPERT):
        raise PermissionDenied


class AwardFiguresOut(Schema):
    applicants: int
    scored: int
    site_visits: int
    awards: int


class AwardCycleOut(NextStepsOut):
    id: int
    year: int
    title: str
    call_text: str
    opens_on: datetime.date
    closes_on: datetime.date
    decision_due: datetime.date | None
    awards: int
    nominations: int
    site_visits: int
    status: str
    status_name: str = Field(alias="get_status_display")
    notice_ends_at: datetime.datetime | None
    figures: AwardFiguresOut

    @staticmethod
    def resolve_figures(obj: Cycle) -> dict[str, int]:
        return services.figures(obj)


class AwardItemOut(Schema):
    code: str
    points: int
    percents: list[int]
    mean: Decimal | None
    spread: int
    flagged: bool
    agreed: int | None
    adjusted: int | None
    final_points: Decimal | None


class AwardEntryOut(NextStepsOut):
    id: int
    cycle_id: int
    organisation_id: int
    organisation_name: str = Field(alias="organisation.name")
    status: str
    status_name: str = Field(alias="get_status_display")
    submitted_at: datetime.datetime | None
    review_total: Decimal | None = Field(
        None, description="The document review's total (district staff only)."
    )
    final_total: Decimal | None = Field(
        None, description="The total with the site visit (district staff only)."
    )
    rank: int | None = Field(None, description="The rank in the cycle (district staff only).")
    items: list[AwardItemOut] | None = Field(
        None, description="Consolidated scores, item by item (district staff only)."
    )

    # An assigned expert scores the entry without seeing its totals or rank, as on the page.

    @staticmethod
    def resolve_review_total(obj: Entry, context: dict) -> Decimal | None:
        return obj.review_total if is_district_admin(context["request"].auth) else None

    @staticmethod
    def resolve_final_total(obj: Entry, context: dict) -> Decimal | None:
        return obj.final_total if is_district_admin(context["request"].auth) else None

    @staticmethod
    def resolve_rank(obj: Entry, context: dict) -> int | None:
        return obj.rank if is_district_admin(context["request"].auth) else None

    @staticmethod
    def resolve_items(obj: Entry, context: dict) -> list[ItemResult] | None:
        if not is_district_admin(context["request"].auth):
            return None
        return services.consolidate(obj).items


class AwardScoreIn(Payload):
    item: str = Field(description="The item of GB/T 19580, such as 4.1.2.", max_length=8)
    percent: DbInt = Field(description="A multiple of 5 inside a band of GB/Z 19579.")
    comment: str = Field(max_length=5000)
    revision: DbInt | None = Field(
        None,
        description="The score's revision last read; a stale one is refused (409), and so is "
        "none once the score exists.",
    )


class AwardScoreOut(Schema):
    item: str
    percent: int
    comment: str
    revision: int
    updated_at: datetime.datetime


class AwardEntryStepIn(StepIn):
    """The formal check says whether the records show a serious accident."""

    serious_accident: bool | None = None


@router.get("/cycles", response=list[AwardCycleOut], summary="Award cycles (staff and experts)")
@paginate
def list_cycles(request: HttpRequest):
    _staff_or_expert(request)
    return Cycle.objects.restrict(request.auth, "view")


@router.get("/cycles/{int:cycle_id}", response=AwardCycleOut, summary="One award cycle")
def get_cycle(request: HttpRequest, cycle_id: Id):
    _staff_or_expert(request)
    return Cycle.objects.get_for(request.auth, "view", cycle_id)


@router.post(
    "/cycles/{int:cycle_id}/transitions",
    response=AwardCycleOut,
    summary="Move a cycle to its next stage (staff; 409 when not allowed now)",
)
def cycle_step(request: HttpRequest, cycle_id: Id, payload: StepIn):
    _staff_or_expert(request)
    cycle = Cycle.objects.get_for(request.auth, "view", cycle_id)
    return services.take_cycle_step(request.auth, cycle, payload.action, reason=payload.reason)


def _entries(request: HttpRequest):
    _staff_or_expert(request)
    return Entry.objects.restrict(request.auth, "view").select_related("organisation")


@router.get("/entries", response=list[AwardEntryOut], summary="Entries (staff all; experts theirs)")
@paginate
def list_entries(request: HttpRequest, cycle: Id | None = None, year: DbInt | None = None):
    """`cycle`: only the entries of this cycle (its id); `year`: of this year's cycle."""
    entries = _entries(request)
    if cycle is not None:
        entries = entries.filter(cycle_id=cycle)
    if year is not None:
        entries = entries.filter(cycle__year=year)
    return entries


@router.get("/entries/{int:entry_id}", response=AwardEntryOut, summary="One entry")
def get_entry(request: HttpRequest, entry_id: Id):
    return get_object_or_404(_entries(request), pk=entry_id)


@router.post(
    "/entries/{int:entry_id}/scores",
    response=AwardScoreOut,
    summary="Save the calling expert's score of one item (409 on a stale revision)",
)
def save_score(request: HttpRequest, entry_id: Id, payload: AwardScoreIn):
    entry = get_object_or_404(_entries(request), pk=entry_id)
    assignment = Assignment.objects.filter(entry=entry, expert=request.auth).first()
    if assignment is None:
        raise PermissionDenied
    return services.save_score(
        request.auth,
        assignment,
        payload.item,
        percent=payload.percent,
        comment=payload.comment,
        revision=payload.revision,
    )


@router.post(
    "/entries/{int:entry_id}/transitions",
    response=AwardEntryOut,
    summary="Take a step of an entry (staff; 409 when not allowed now)",
)
def entry_step(request: HttpRequest, entry_id: Id, payload: AwardEntryStepIn):
    entry = get_object_or_404(_entries(request), pk=entry_id)
    data = {}
    if payload.serious_accident is not None:
        data["serious_accident"] = payload.serious_accident
    return services.take_entry_step(
        request.auth, entry, payload.action, reason=payload.reason, **data
    )
