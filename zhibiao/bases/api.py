"""API of the training bases: the public list and each year's figures; for staff, the status
steps, the yearly evaluation and its corrections, and the designation of new bases
(nominations; the paths say "applications", as they always have)."""

import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema

from zhibiao.accounts.api_auth import optional_auth, required_auth
from zhibiao.bases import services
from zhibiao.bases.models import Batch, Nomination, TrainingBase
from zhibiao.core.apischema import DbInt, Id, Payload, paginate
from zhibiao.core.steps import NextStepsOut, StepIn, StepOut
from zhibiao.core.workflow import take
from zhibiao.core.years import year_bounds
from zhibiao.events import training

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
def list_bases(request: HttpRequest, batch: DbInt | None = None, status: str | None = None):
    bases = _bases()
    if batch is not None:
        bases = bases.filter(batch__number=batch)
    if status:
        bases = bases.filter(status=status)
    return bases


@router.get("/{int:base_id}", response=BaseOut, summary="One training base")
def get_base(request: HttpRequest, base_id: Id):
    return get_object_or_404(_bases(), pk=base_id)


class YearOut(Schema):
    year: int
    courses: int
    site_visits: int
    practices: int
    attendees: int
    responses: int
    satisfaction: float | None


class CorrectionOut(Schema):
    """One correction of an evaluation: the version it replaced, the one it made, who and why."""

    from_result: str
    to_result: str
    from_comment: str
    to_comment: str
    reason: str
    corrected_by: str = Field(alias="corrected_by.username")
    corrected_at: datetime.datetime


class EvaluationOut(Schema):
    year: int
    result: str
    result_name: str = Field(alias="get_result_display")
    courses: int
    site_visits: int
    attendees: int
    satisfaction: float | None
    comment: str
    evaluated_at: datetime.datetime
    revision: int
    corrections: list[CorrectionOut]


class EvaluationCorrectionIn(Payload):
    """The new result and comment, why, and optionally the revision the client last read (a
    correction made since is then refused with 409 rather than undone)."""

    result: str
    comment: str = ""
    reason: str = ""
    revision: DbInt | None = None


class BaseYearOut(YearOut):
    base_id: int
    name: str


class EvaluationIn(Payload):
    year: DbInt
    result: str
    comment: str = ""


class NominationStepIn(StepIn):
    """Designating names the batch by its number."""

    batch: DbInt | None = None


class NominationOut(NextStepsOut):
    id: int
    organisation_id: int
    organisation_name: str = Field(alias="organisation.name")
    status: str
    status_name: str = Field(alias="get_status_display")
    statement: str
    offer: str
    batch_number: int | None = Field(None, alias="batch.number")
    base_id: int | None
    created_at: datetime.datetime


class NominationIn(Payload):
    statement: str
    offer: str


class BatchIn(Payload):
    designated_on: datetime.date
    note: str = ""


@router.get("/years/{int:year}", response=list[BaseYearOut], summary="Every base's year")
def bases_year(request: HttpRequest, year: DbInt):
    year_bounds(year)  # outside the platform's years: 404
    bases = list(_bases().filter(batch__designated_on__year__lte=year))
    figures = training.yearly_figures(year, bases)
    return [
        {"base_id": base.pk, "name": base.organisation.name, **vars(figures[base.pk])}
        for base in bases
    ]


@router.get("/{int:base_id}/years", response=list[YearOut], summary="One base, year by year")
def base_years(request: HttpRequest, base_id: Id):
    base = get_object_or_404(_bases(), pk=base_id)
    this_year = timezone.localdate().year
    years = range(this_year, base.batch.designated_on.year - 1, -1)
    return [vars(training.yearly_figures(year, [base])[base.pk]) for year in years]


@router.get(
    "/{int:base_id}/evaluations",
    response=list[EvaluationOut],
    auth=required_auth,
    summary="A base's yearly evaluations (staff and the base's managers)",
)
def evaluations(request: HttpRequest, base_id: Id):
    # A removed base is no one's but staff's: to others it does not exist (404), as on its page.
    base = TrainingBase.objects.get_for(request.auth, "manage", base_id)
    return base.evaluations.prefetch_related("corrections__corrected_by")


@router.post(
    "/{int:base_id}/evaluations",
    response={201: EvaluationOut},
    auth=required_auth,
    summary="Record a finished year's evaluation (staff)",
)
def evaluate(request: HttpRequest, base_id: Id, payload: EvaluationIn):
    base = TrainingBase.objects.get_for(request.auth, "view", base_id)
    evaluation = training.evaluate(
        request.auth, base, payload.year, result=payload.result, comment=payload.comment
    )
    return 201, evaluation


@router.post(
    "/{int:base_id}/evaluations/{int:year}/corrections",
    response=EvaluationOut,
    auth=required_auth,
    summary="Correct a recorded evaluation, with a reason (staff; 409 if corrected meanwhile)",
)
def correct_evaluation(
    request: HttpRequest, base_id: Id, year: DbInt, payload: EvaluationCorrectionIn
):
    base = TrainingBase.objects.get_for(request.auth, "view", base_id)
    services.correct_evaluation(
        request.auth,
        base,
        year,
        result=payload.result,
        comment=payload.comment,
        reason=payload.reason,
        seen=payload.revision,
    )
    return base.evaluations.prefetch_related("corrections__corrected_by").get(year=year)


@router.post(
    "/{int:base_id}/transitions",
    response=list[StepOut],
    auth=required_auth,
    summary="Suspend, reinstate or remove a base (staff; 409 when not allowed now)",
)
def base_step(request: HttpRequest, base_id: Id, payload: StepIn):
    base = TrainingBase.objects.get_for(request.auth, "view", base_id)
    take(request.auth, base, payload.action, reason=payload.reason)
    return base.steps.select_related("actor")


def _nominations(request: HttpRequest):
    return Nomination.objects.restrict(request.auth, "view").select_related("organisation", "batch")


@router.get(
    "/applications",
    response=list[NominationOut],
    auth=required_auth,
    summary="Applications to become a base",
)
@paginate
def list_nominations(request: HttpRequest):
    return _nominations(request)


@router.post(
    "/applications",
    response={201: NominationOut},
    auth=required_auth,
    summary="Apply to become a base",
)
def nominate(request: HttpRequest, payload: NominationIn):
    return 201, services.nominate(request.auth, payload.dict())


@router.get(
    "/applications/{int:application_id}",
    response=NominationOut,
    auth=required_auth,
    summary="One application",
)
def get_nomination(request: HttpRequest, application_id: Id):
    return get_object_or_404(_nominations(request), pk=application_id)


@router.post(
    "/applications/{int:application_id}/transitions",
    response=NominationOut,
    auth=required_auth,
    summary="Take a step (review, approve, reject, designate in a batch, withdraw)",
)
def nomination_step(request: HttpRequest, application_id: Id, payload: NominationStepIn):
    nomination = get_object_or_404(_nominations(request), pk=application_id)
    batch = None
    if payload.batch is not None:
        batch = get_object_or_404(Batch.objects.all(), number=payload.batch)
    return take(request.auth, nomination, payload.action, reason=payload.reason, batch=batch)


@router.post(
    "/batches", response={201: BatchOut}, auth=required_auth, summary="Open the next batch"
)
def create_batch(request: HttpRequest, payload: BatchIn):
    return 201, services.create_batch(
        request.auth, designated_on=payload.designated_on, note=payload.note
    )
