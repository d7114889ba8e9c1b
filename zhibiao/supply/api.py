"""API of the supply platform: the catalogue (public), demands, candidates and steps."""

import datetime
from decimal import Decimal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from zhibiao.accounts.api_auth import optional_auth, required_auth
from zhibiao.accounts.permissions import ensure
from zhibiao.core.apischema import DbInt, Id, Payload, paginate, patch_of
from zhibiao.core.steps import NextStepsOut, StepIn
from zhibiao.core.workflow import take
from zhibiao.directory.models import Organisation
from zhibiao.supply import services
from zhibiao.supply.models import Demand, Offering

router = Router(tags=["supply"])


class OfferingOut(Schema):
    id: int
    title: str
    category: str
    category_name: str = Field(alias="get_category_display")
    provider: str = Field(alias="provider_name")
    organisation_id: int | None
    expert_id: int | None
    description: str
    price_model: str
    indicative_price: Decimal | None
    towns: list[str]
    industries: list[str]
    turnaround_days: int
    qualifications: str


class OfferingIn(Payload):
    category: str
    title: str
    description: str
    price_model: str
    indicative_price: Decimal | None = None
    towns: list[str] = []
    industries: list[str] = []
    turnaround_days: DbInt
    qualifications: str = ""
    is_active: bool = True


class OfferingCreateIn(OfferingIn):
    organisation: DbInt | None = Field(
        None,
        description="District staff publish for a provider or a base: its id. Others publish "
        "for their own organisation (an expert: their own offering) and leave it out.",
    )


OfferingPatch = patch_of(
    OfferingIn, "OfferingPatch", "The offering's fields to change; those not sent stay as they are."
)


class DemandOut(NextStepsOut):
    id: int
    enterprise_id: int
    enterprise_name: str = Field(alias="enterprise.name")
    category: str
    description: str
    urgency: str
    desired_date: datetime.date | None
    channel: str
    status: str
    status_name: str = Field(alias="get_status_display")
    posted_at: datetime.datetime
    accepted_at: datetime.datetime | None
    delivered_at: datetime.datetime | None
    due_at: datetime.datetime | None
    rating: int | None


class DemandIn(Payload):
    category: str
    description: str
    urgency: str = "normal"
    desired_date: datetime.date | None = None
    enterprise: DbInt | None = None
    channel: str = "phone"


class CandidateOut(Schema):
    key: str
    kind: str
    name: str
    title: str
    score: float
    reasons: list[str]


class OfferIn(Payload):
    candidate: str


class DemandStepIn(StepIn):
    """Rating the service gives the rating and a comment."""

    rating: DbInt | None = None
    comment: str = ""


@router.get("/offerings", response=list[OfferingOut], auth=optional_auth, summary="The catalogue")
@paginate
def list_offerings(request: HttpRequest, category: str | None = None):
    rows = Offering.objects.filter(is_active=True).select_related("organisation", "expert")
    return rows.filter(category=category) if category else rows


@router.get("/offerings/{int:offering_id}", response=OfferingOut, auth=optional_auth)
def get_offering(request: HttpRequest, offering_id: Id):
    return get_object_or_404(Offering.objects.filter(is_active=True), pk=offering_id)


@router.post("/offerings", response={201: OfferingOut}, auth=required_auth, summary="Publish")
def create_offering(request: HttpRequest, payload: OfferingCreateIn):
    data = payload.dict()
    if payload.organisation is None:
        data.pop("organisation")
    else:
        data["organisation"] = get_object_or_404(Organisation, pk=payload.organisation)
    return 201, services.save_offering(request.auth, data)


@router.patch("/offerings/{int:offering_id}", response=OfferingOut, auth=required_auth)
def update_offering(request: HttpRequest, offering_id: Id, payload: OfferingPatch):
    offering = get_object_or_404(Offering.objects.restrict(request.auth, "manage"), pk=offering_id)
    data = payload.dict(exclude_unset=True)
    return services.save_offering(request.auth, data, offering=offering)


def _demands(request: HttpRequest):
    return Demand.objects.restrict(request.auth, "view").select_related("enterprise")


@router.get("/demands", response=list[DemandOut], auth=required_auth, summary="Your demands")
@paginate
def list_demands(request: HttpRequest, status: str | None = None):
    rows = _demands(request)
    return rows.filter(status=status) if status else rows


@router.get("/demands/{int:demand_id}", response=DemandOut, auth=required_auth)
def get_demand(request: HttpRequest, demand_id: Id):
    return get_object_or_404(_demands(request), pk=demand_id)


@router.post("/demands", response={201: DemandOut}, auth=required_auth, summary="Post a demand")
def post_demand(request: HttpRequest, payload: DemandIn):
    data = payload.dict(exclude_unset=True)  # what the client sent: the service names the rest
    if "enterprise" in data:  # an unknown id is no enterprise: the service says so by field
        data["enterprise"] = Organisation.objects.filter(pk=payload.enterprise).first()
    return 201, services.post_demand(request.auth, data)


@router.get(
    "/demands/{int:demand_id}/candidates",
    response=list[CandidateOut],
    auth=required_auth,
    summary="Ranked candidates, with reasons",
)
def list_candidates(request: HttpRequest, demand_id: Id, limit: DbInt = 10):
    demand = get_object_or_404(_demands(request), pk=demand_id)
    ensure(services.may_choose(request.auth, demand))
    return [
        {
            "key": c.key,
            "kind": c.kind,
            "name": c.name,
            "title": c.title,
            "score": c.score,
            "reasons": c.reasons,
        }
        for c in services.candidates(demand, limit=min(max(limit, 1), 50))
    ]


@router.post("/demands/{int:demand_id}/offers", response={201: DemandOut}, auth=required_auth)
def make_offer(request: HttpRequest, demand_id: Id, payload: OfferIn):
    demand = get_object_or_404(_demands(request), pk=demand_id)
    services.make_offer(request.auth, demand, payload.candidate)
    demand.refresh_from_db()
    return 201, demand


@router.post("/demands/{int:demand_id}/transitions", response=DemandOut, auth=required_auth)
def take_step(request: HttpRequest, demand_id: Id, payload: DemandStepIn):
    demand = get_object_or_404(_demands(request), pk=demand_id)
    return take(request.auth, demand, **payload.dict())
