"""Explanations: what every rule book in force grants one enterprise and why, from its records,
and how a clause's result is shown on 我的政策 beside the applications made for it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from zhibiao.directory.models import Organisation
from zhibiao.measures import facts, provenance
from zhibiao.measures.models import Clause, RuleBook
from zhibiao.measures.services.compiled import auto_allowed, clause_set
from zhibiao.policies.models import PolicyDocument
from zhibiao.rules import (
    ClauseSet,
    Explanation,
    RuleValidationError,
    compile_expression,
    explain,
)
from zhibiao.rules.phrasing import Phraser, data


def rulebooks_in_force(on: datetime.date | None = None):
    """The rule books of published documents in force on the day: a repealed or expired
    document grants nothing from the day after its end."""
    documents = PolicyDocument.objects.filter(is_published=True).in_force(on)
    return RuleBook.objects.filter(document__in=documents).select_related("document")


def explain_enterprise(
    organisation: Organisation,
    as_of: datetime.date | None = None,
    *,
    excluding_application=None,
    with_provenance: bool = True,
    claims: bool = False,
    waiving: Clause | None = None,
) -> list[tuple[RuleBook, Explanation]]:
    """Every rule book's explanation for one enterprise, from its verified records as they are
    now, with where each fact came from and what awaits verification (`provenance`).

    `claims` counts the applications still on their way as received, to see what the caps leave
    for one more (facts.CLAIM_STATES); what is shown to the enterprise never does. `waiving`
    takes that clause's conditions as met (ClauseSet.waiving): the ceiling of a near miss."""
    as_of = as_of or timezone.localdate()
    enterprise_facts = facts.facts_for(
        organisation, as_of, excluding_application=excluding_application, claims=claims
    )
    triples = [
        (rulebook, compiled, explain(compiled, enterprise_facts, as_of))
        for rulebook in rulebooks_in_force(as_of)
        for compiled in [_compiled(rulebook, waiving)]
    ]
    if with_provenance:
        provenance.annotate(
            organisation, as_of, triples, excluding_application=excluding_application
        )
    return [(rulebook, explanation) for rulebook, _compiled, explanation in triples]


def if_met(
    organisation: Organisation,
    rulebook: RuleBook,
    explanation: Explanation,
    as_of: datetime.date,
) -> dict[str, list[dict[str, Any]]]:
    """For each near miss of the explanation that is applied for with evidence (a clause
    confirmed without application, `auto_allowed`, needs the entitlement itself), what the
    enterprise could apply for: the lines (project, amount) its clause would give had it met
    every condition it misses, through the same caps (ClauseSet.waiving). A near miss with no
    such line pays nothing even then, most often because its record awaits verification."""
    near = [result.id for result in explanation.results if result.near_miss]
    clauses = Clause.objects.filter(rulebook=rulebook, code__in=near) if near else []
    codes = [clause.code for clause in clauses if not auto_allowed(clause)]
    if not codes:
        return {}
    enterprise_facts = facts.facts_for(organisation, as_of)
    compiled = clause_set(rulebook)
    offers: dict[str, list[dict[str, Any]]] = {}
    for code in codes:
        # One clause waived at a time, as its application is measured (left_under_caps): two
        # near misses under one cap would otherwise cut each other.
        result = explain(compiled.waiving(code), enterprise_facts, as_of).result(code)
        if result.per_project:
            offers[code] = [
                {"label": line.label, "project": line.project, "amount": line.amount}
                for line in result.lines
                if line.project and line.amount > 0
            ]
        else:  # paid as a whole (one award, or per record without a project key)
            whole = [{"label": result.title, "project": "", "amount": result.amount}]
            offers[code] = whole if result.amount > 0 else []
    return offers


def _compiled(rulebook: RuleBook, waiving: Clause | None) -> ClauseSet:
    compiled = clause_set(rulebook)
    if waiving is not None and waiving.rulebook_id == rulebook.pk:
        return compiled.waiving(waiving.code)
    return compiled


def result_view(
    result, mode: str | None, applications: dict, pending: dict | None = None
) -> dict[str, Any]:
    """A clause result for 我的政策: its lines, each with the application made for it, if any.

    `pending` maps a project to the enterprise's pending application for it under any clause of
    the same rule book (zhibiao.applications.services.pending_by_project): a line of such a
    project shows that application, not an offer to apply for the project a second time. A line
    with an application shows the application's amount (approved, or else assessed), so that no
    figure on the line is money "received" or a 0.00 that only the application itself caused.
    """
    data = result.to_dict()
    pending = pending or {}
    lines = []
    for line in data["lines"]:
        project = line["project"] or ""
        application = applications.get((result.id, project))
        if application is None and project:
            application = pending.get(project)
        lines.append(_line_with_application(result.id, line, application))
    if not lines and (result.id, "") in applications:
        line = {"label": result.title, "project": None, "amount": str(result.amount)}
        lines = [_line_with_application(result.id, line, applications[(result.id, "")])]
    # An application whose project the rules no longer pay (its record was rejected or has
    # expired since) stays in sight on its clause, not gone from the page while it is open.
    shown = {line["project"] or "" for line in data["lines"]}
    for (clause_id, project), application in applications.items():
        if clause_id == result.id and project and project not in shown:
            line = {"label": project, "project": project, "amount": "0.00"}
            lines.append(_line_with_application(result.id, line, application))
    return {"result": data, "mode": mode, "lines": lines}


def _line_with_application(clause_id: str, line: dict, application) -> dict[str, Any]:
    if application is None:
        return {**line, "application": None}
    amount = application.amount_approved
    if amount is None and application.amount_assessed > 0:
        amount = application.amount_assessed  # 0 until approval for one opened on a near miss
    return {
        **line,
        "application": application,
        "application_amount": None if amount is None else str(amount),
        "application_clause": ""
        if application.clause.code == clause_id
        else application.version.title,
    }


def clause_in_words(definition: dict[str, Any]) -> dict[str, Any]:
    """A clause's conditions and award basis in words for its page (phrasing.py), from the
    checked expressions; a condition the phraser cannot say keeps its author's label. The rule
    text itself is for district staff only, shown apart."""
    schema = facts.schema()
    phraser = Phraser(schema, timezone.localdate())

    def said(text: Any, each: str | None = None) -> Any:
        if not isinstance(text, str):
            return None
        try:
            return phraser.requirement(compile_expression(text, schema, each=each).root)
        except RuleValidationError:
            return None

    conditions = []
    for condition in definition.get("conditions") or []:
        phrase = said(condition.get("expr"))
        conditions.append(
            {
                "label": condition.get("label", ""),
                "phrase": data(phrase) if phrase else None,
                # `waivable: false`: no evidence replaces it, a near miss never waives it
                "waivable": condition.get("waivable") is not False,
            }
        )
    award = definition.get("award") or {}
    each = award.get("each")
    where = said(award.get("where"), each) if each else None
    amount = award.get("amount")
    fixed_amount = (
        amount if isinstance(amount, int | float) and not isinstance(amount, bool) else None
    )
    return {
        "conditions": conditions,
        "amount": fixed_amount,
        "basis": phraser.basis(each).to_dict() if each else None,
        "where": data(where) if where is not None else None,
    }
