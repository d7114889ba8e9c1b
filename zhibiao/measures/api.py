"""API of the measures: clauses, explanations of an enterprise, and the clause checker."""

import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema

from zhibiao.accounts.api_auth import optional_auth, required_auth
from zhibiao.accounts.permissions import ensure, is_district_admin
from zhibiao.core.apischema import DbInt, Payload, paginate
from zhibiao.directory.models import Organisation
from zhibiao.measures import services
from zhibiao.measures.models import Clause, RuleBook
from zhibiao.measures.phrases import say_error
from zhibiao.rules import RuleError

router = Router(tags=["measures"])


class ClauseOut(Schema):
    code: str
    version: int
    title: str
    category: str
    effective_from: datetime.date
    effective_to: datetime.date | None
    mode: str
    needs_review: bool
    document_id: int


class ClauseDetailOut(ClauseOut):
    definition: dict[str, Any]


class IfMetOut(Schema):
    label: str
    project: str = Field(description="The project to apply for (empty: the clause as a whole).")
    amount: str = Field(description="The most an approval may state, in yuan.")


class ExplanationOut(Schema):
    organisation_id: int
    document_id: int
    explanation: dict[str, Any]
    if_met: dict[str, list[IfMetOut]] = Field(
        description="For each near miss, what the enterprise may apply for with evidence: the "
        "lines its clause would give had it met the conditions it misses, through the same "
        "caps. A near miss absent here, or with no line, pays nothing even then."
    )


class CheckIn(Payload):
    parsed_fields = frozenset({"text"})  # a NUL is said with its line and column

    text: str
    clause: str | None = None
    rulebook: str | None = None


class RuleErrorOut(Schema):
    path: str
    line: int | None
    column: int | None
    message: str = Field(
        description="The rules engine's message in English, stable for scripts (a check the "
        "platform adds, such as a clause id that must not change, is in the request's language)."
    )
    kind: str = Field(description="What went wrong: syntax, unknown_fact, type, schema, yaml, …")
    localized: str = Field(description="The message in the request's language, as staff read it.")


class RuleCheckOut(Schema):
    valid: bool
    errors: list[RuleErrorOut]


class VersionIn(Payload):
    parsed_fields = frozenset({"text"})  # a NUL is said with its line and column

    text: str
    change_note: str = ""


def _clause_out(clause: Clause) -> dict:
    version = clause.versions.published().order_by("-number").first()
    if version is None:
        raise Http404
    return {
        "code": clause.code,
        "version": version.number,
        "title": version.title,
        "category": version.category,
        "effective_from": version.effective_from,
        "effective_to": version.effective_to,
        "mode": clause.mode,
        "needs_review": clause.needs_review,
        "document_id": clause.rulebook.document_id,
        "definition": services.parse_source(version.source),
    }


@router.get("/clauses", response=list[ClauseOut], auth=optional_auth, summary="Published clauses")
@paginate
def list_clauses(request: HttpRequest):
    clauses = Clause.objects.restrict(request.auth, "view").select_related("rulebook")
    return [_clause_out(c) for c in clauses if c.versions.published().exists()]


@router.get("/clauses/{code}", response=ClauseDetailOut, auth=optional_auth, summary="One clause")
def get_clause(request: HttpRequest, code: str):
    clause = get_object_or_404(
        Clause.objects.restrict(request.auth, "view").select_related("rulebook"), code=code
    )
    return _clause_out(clause)


@router.get(
    "/entitlements",
    response=list[ExplanationOut],
    auth=required_auth,
    summary="What an enterprise is entitled to, and why",
)
def entitlements(request: HttpRequest, organisation: DbInt):
    """Every clause with its conditions, values used, amounts, caps applied and what is missing.

    An enterprise's own users and district administrators only; anyone else gets 404.
    """
    org = get_object_or_404(
        Organisation.objects.restrict(request.auth, "view_private"), pk=organisation
    )
    today = timezone.localdate()
    out = []
    for rulebook, explanation in services.explain_enterprise(org, today):
        offers = services.if_met(org, rulebook, explanation, today)
        out.append(
            {
                "organisation_id": org.pk,
                "document_id": rulebook.document_id,
                "explanation": explanation.to_dict(),
                "if_met": {
                    code: [{**line, "amount": str(line["amount"])} for line in lines]
                    for code, lines in offers.items()
                },
            }
        )
    return out


@router.post("/check", response=RuleCheckOut, auth=required_auth, summary="Check a clause's text")
def check(request: HttpRequest, payload: CheckIn):
    """Errors with line and column, as the editor shows them; examples included."""
    ensure(is_district_admin(request.auth))
    clause = Clause.objects.filter(code=payload.clause or "").first()
    rulebook = clause.rulebook if clause else _rulebook(payload.rulebook)
    checked = services.check_version_text(rulebook, payload.text, clause=clause)
    return {"valid": not checked.errors, "errors": [_error_out(e) for e in checked.errors]}


def _error_out(error: RuleError) -> dict[str, Any]:
    return {**error.to_dict(), "localized": say_error(error)}


def _rulebook(code: str | None) -> RuleBook:
    rulebook = RuleBook.objects.filter(code=code).first() if code else RuleBook.objects.first()
    if rulebook is None:
        raise Http404
    return rulebook


@router.post(
    "/clauses/{code}/versions",
    response={201: ClauseDetailOut, 422: RuleCheckOut},
    auth=required_auth,
    summary="Publish a new version of a clause",
)
def publish(request: HttpRequest, code: str, payload: VersionIn):
    ensure(is_district_admin(request.auth))
    clause = get_object_or_404(Clause, code=code)
    try:
        services.publish_version(
            request.auth,
            clause.rulebook,
            payload.text,
            clause=clause,
            change_note=payload.change_note,
        )
    except services.RuleTextInvalid as invalid:
        return 422, {"valid": False, "errors": [_error_out(e) for e in invalid.errors]}
    return 201, _clause_out(clause)
