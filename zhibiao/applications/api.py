"""API of the applications: the same steps and permission rules as the pages."""

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import Field, File, Form, Router, Schema, UploadedFile

from zhibiao.accounts.api_auth import required_auth
from zhibiao.accounts.permissions import is_district_admin
from zhibiao.applications import services
from zhibiao.applications.models import Application
from zhibiao.core.apischema import DbInt, Id, Payload, paginate
from zhibiao.core.steps import NextStepsOut, StepIn, StepOut
from zhibiao.core.workflow import take
from zhibiao.measures.models import Clause

router = Router(tags=["applications"], auth=required_auth)


class ApplicationOut(Schema):
    id: int
    number: str
    enterprise_id: int
    enterprise_name: str = Field(alias="enterprise.name")
    clause: str = Field(alias="clause.code")
    version: int = Field(alias="version.number")
    channel: str
    status: str
    status_name: str = Field(alias="get_status_display")
    year: int
    project: str
    amount_assessed: Decimal
    amount_approved: Decimal | None
    publicity_ends_at: datetime.datetime | None


class ApplicationDetailOut(ApplicationOut, NextStepsOut):
    statement: str
    assessment: dict[str, Any]
    #: The history, under the name the API has always given it.
    transitions: list[StepOut] = Field(alias="steps")


class StartIn(Payload):
    clause: str
    project: str = ""
    organisation: DbInt | None = None
    statement: str = ""


class StatementIn(Payload):
    statement: str


class ApplicationStepIn(StepIn):
    """Approving may set the amount; recording the payment gives its reference."""

    amount: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)] | None = Field(
        None, description="Yuan, at most 12 digits before the point and 2 after."
    )
    payment_reference: str = ""


class AssignIn(Payload):
    reviewers: list[DbInt]


class ReviewIn(Payload):
    score: DbInt
    recommendation: str
    comment: str


def _applications(request: HttpRequest):
    return Application.objects.restrict(request.auth, "view").select_related(
        "enterprise", "clause", "version"
    )


@router.get("", response=list[ApplicationOut], summary="Applications you may see")
@paginate
def list_applications(request: HttpRequest, status: str | None = None):
    rows = _applications(request)
    return rows.filter(status=status) if status else rows


@router.get("/{int:application_id}", response=ApplicationDetailOut, summary="One application")
def get_application(request: HttpRequest, application_id: Id):
    return get_object_or_404(_applications(request), pk=application_id)


@router.post("", response={201: ApplicationDetailOut}, summary="Apply, or confirm an entitlement")
def start(request: HttpRequest, payload: StartIn):
    """Who may start is decided as for the page (`services.applicant_organisations`): an
    enterprise's users and a training base's managers for their own organisation, district
    administrators for any (`organisation`). Other roles get 403, another's organisation 404,
    and a project with an application still pending 409."""
    user = request.auth
    if not (is_district_admin(user) or user.role in services.APPLICANT_ROLES):
        raise PermissionDenied
    org_id = payload.organisation or user.organisation_id
    organisation = get_object_or_404(services.applicant_organisations(user), pk=org_id or 0)
    clause = Clause.objects.get_for(user, "view", code=payload.clause)
    application = services.start_application(
        user, organisation, clause, project=payload.project, statement=payload.statement
    )
    return 201, application


@router.post(
    "/{int:application_id}/transitions",
    response=ApplicationDetailOut,
    summary="Take a step (409 when the step is not allowed now)",
)
def take_step(request: HttpRequest, application_id: Id, payload: ApplicationStepIn):
    application = get_object_or_404(_applications(request), pk=application_id)
    return take(request.auth, application, **payload.dict())


@router.put(
    "/{int:application_id}/statement",
    response=ApplicationDetailOut,
    summary="Write the statement (draft or returned only; 409 otherwise)",
)
def put_statement(request: HttpRequest, application_id: Id, payload: StatementIn):
    application = get_object_or_404(_applications(request), pk=application_id)
    return services.update_statement(request.auth, application, payload.statement)


@router.post("/{int:application_id}/evidence", response={201: dict}, summary="Attach evidence")
def add_evidence(
    request: HttpRequest, application_id: Id, item: Form[str], file: File[UploadedFile]
):
    application = get_object_or_404(_applications(request), pk=application_id)
    evidence = services.add_evidence(request.auth, application, item, file)
    return 201, {"id": evidence.pk, "item": evidence.item, "sha256": evidence.sha256}


@router.post("/{int:application_id}/reviewers", response=list[int], summary="Assign experts")
def assign(request: HttpRequest, application_id: Id, payload: AssignIn):
    application = get_object_or_404(_applications(request), pk=application_id)
    users = list(get_user_model().objects.filter(pk__in=payload.reviewers))
    if len(users) != len(set(payload.reviewers)):
        raise ValidationError({"reviewers": [gettext("Unknown user.")]})
    return [r.reviewer_id for r in services.assign_reviewers(request.auth, application, users)]


@router.post("/{int:application_id}/review", response=dict, summary="Submit your review")
def review(request: HttpRequest, application_id: Id, payload: ReviewIn):
    application = get_object_or_404(_applications(request), pk=application_id)
    own = application.reviews.filter(reviewer=request.auth).first()
    if own is None:
        raise PermissionDenied
    submitted = services.submit_review(request.auth, own, **payload.dict())
    return {"score": submitted.score, "recommendation": submitted.recommendation}
