"""Scenarios and their impact as JSON, for district staff only: list, read, create (with its
drafts, checked as the clause editor checks them; all or nothing), and the impact now."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema

from zhibiao.accounts.api_auth import required_auth
from zhibiao.accounts.permissions import is_district_admin
from zhibiao.core.apischema import Payload, paginate
from zhibiao.measures.models import RuleBook
from zhibiao.whatif import services
from zhibiao.whatif.models import Scenario

router = Router(tags=["scenarios"], auth=required_auth)


class DraftOut(Schema):
    code: str
    removed: bool
    text: str


class ScenarioOut(Schema):
    id: int
    title: str
    rulebook: str
    status: str
    author: str
    comment: str
    revision: int
    created_at: datetime.datetime
    saved_at: datetime.datetime | None
    published_at: datetime.datetime | None
    drafts: list[DraftOut]
    figures: dict[str, Any] = Field(
        description="The figures as they stood when the scenario was saved (empty before)."
    )

    @staticmethod
    def resolve_id(scenario: Scenario) -> int:
        return scenario.pk

    @staticmethod
    def resolve_rulebook(scenario: Scenario) -> str:
        return scenario.rulebook.code

    @staticmethod
    def resolve_author(scenario: Scenario) -> str:
        return scenario.author.username

    @staticmethod
    def resolve_drafts(scenario: Scenario) -> list[dict[str, Any]]:
        # `all()` in the model's order (by code) reads the prefetched drafts of a list's page.
        return [
            {"code": d.code, "removed": d.removed, "text": d.text} for d in scenario.drafts.all()
        ]


class DraftIn(Payload):
    parsed_fields = frozenset({"text"})  # a NUL is said with its line and column

    clause: str | None = Field(
        None, max_length=40, description="The clause drafted; none for a new clause."
    )
    text: str = Field("", max_length=50_000, description="The clause's rule text (YAML).")
    removed: bool = False


class ScenarioIn(Payload):
    rulebook: str = Field(..., max_length=40)
    title: str = Field(..., max_length=120)
    drafts: list[DraftIn] = Field(default_factory=list, max_length=50)


class ListRow(Schema):
    organisation: int
    name: str
    town: str
    old: str
    new: str
    difference: str
    reason: str


class ListPage(Schema):
    count: int
    items: list[ListRow]


class ImpactOut(Schema):
    scenario: int
    figures: dict[str, Any] = Field(
        description="Entitled, totals, per clause, breakdowns by town, industry section, size "
        "and ownership, the caps' effect and the budget, now and with the drafts."
    )
    gainers: ListPage
    losers: ListPage
    document_problem: str | None = Field(
        None,
        description="Why the district pays none of it now: the rule book's document is not in "
        "force (expired, repealed or unpublished); the impact page shows the same warning.",
    )


class ImpactQuery(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


def _staff(request: HttpRequest):
    user = request.auth
    if not is_district_admin(user):
        raise PermissionDenied(gettext("Scenarios are for district staff."))
    return user


@router.get("", response=list[ScenarioOut], summary="Scenarios (district staff)")
@paginate
def scenarios(request: HttpRequest):
    """Newest first, paginated as every list (`limit`, `offset`; `count` and `items`)."""
    user = _staff(request)
    rows = Scenario.objects.restrict(user, "view").select_related("rulebook", "author")
    return rows.prefetch_related("drafts")


@router.get("/{scenario_id}", response=ScenarioOut, summary="One scenario (district staff)")
def scenario(request: HttpRequest, scenario_id: int):
    user = _staff(request)
    return Scenario.objects.select_related("rulebook", "author").get_for(user, "view", scenario_id)


@router.post(
    "", response={201: ScenarioOut}, summary="Start a scenario with its drafts (district staff)"
)
def create(request: HttpRequest, payload: ScenarioIn):
    """Each draft is checked as the clause editor checks a new version, one draft per clause;
    one refused refuses the whole scenario (422, each problem under `drafts.<n>.<field>`)."""
    user = _staff(request)
    rulebook = get_object_or_404(RuleBook, code=payload.rulebook)
    created = services.start_scenario_with_drafts(
        user,
        rulebook,
        title=payload.title,
        drafts=[
            services.NewDraft(clause=draft.clause, text=draft.text, removed=draft.removed)
            for draft in payload.drafts
        ],
    )
    return 201, created


@router.get(
    "/{scenario_id}/impact", response=ImpactOut, summary="A scenario's impact now (district staff)"
)
def impact(request: HttpRequest, scenario_id: int, query: Query[ImpactQuery]):
    """Both screenings of the whole population, now; the gainers and losers paginated alike."""
    user = _staff(request)
    scenario = Scenario.objects.select_related("rulebook").get_for(user, "view", scenario_id)
    found = services.impact_of(user, scenario)
    lists = {}
    for kind in ("gainers", "losers"):
        count, rows = found.listing(kind, offset=query.offset, limit=query.limit)
        lists[kind] = {"count": count, "items": rows}
    return {
        "scenario": scenario_id,
        "figures": found.figures(),
        **lists,
        "document_problem": services.document_problem(scenario.rulebook),
    }
