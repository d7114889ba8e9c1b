"""Opening an application and preparing it: the statement and the evidence, until it is
submitted (快申快享), or its confirmation submitted at once (免申即享)."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.accounts.permissions import ensure
from zhibiao.applications.models import Application, Channel, Evidence, Status
from zhibiao.applications.services.claims import (
    applicant_organisations,
    assess,
    by_applicant,
    not_waivable,
    pending_for_project,
    pending_refusal,
    required_evidence,
)
from zhibiao.audit.services import record
from zhibiao.core.constraints import save_new
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.uploads import DOCX, JPEG, PDF, PNG, XLSX, accept_upload
from zhibiao.core.workflow import hold_status, take
from zhibiao.directory.models import Organisation
from zhibiao.measures import services as measures
from zhibiao.measures.models import Clause

EVIDENCE_KINDS = (PDF, DOCX, XLSX, JPEG, PNG)


@transaction.atomic
def start_application(
    actor, organisation, clause: Clause, *, project: str = "", statement: str = ""
) -> Application:
    """Open an application (快申快享: a draft, prefilled) or confirm an entitlement (免申即享).

    免申即享 needs the enterprise to be entitled on its records and is submitted at once;
    a quick application may be opened on a near miss too, and the evidence fills the gap.
    """
    ensure(applicant_organisations(actor).filter(pk=organisation.pk).exists())
    # One enterprise's starts one at a time, so two at once cannot both pass the check below.
    Organisation.objects.select_for_update().only("pk").get(pk=organisation.pk)
    other = pending_for_project(organisation.pk, clause.rulebook_id, project)
    if other is not None:
        raise pending_refusal(other)
    as_of = timezone.localdate()
    result, line = assess(organisation, clause, project, as_of)
    if result is None:
        raise TransitionRefused(gettext("This clause is not in force."))
    if not result.entitled and result.barred:
        raise TransitionRefused(not_waivable(result.barred))
    # A clause set to 免申即享 whose facts the enterprise could make up runs as a quick application.
    channel = Channel.AUTO if measures.auto_allowed(clause) else Channel.QUICK
    if channel == Channel.AUTO and not result.entitled:
        raise TransitionRefused(
            gettext("Your records do not show this entitlement; apply with evidence instead.")
        )
    if channel == Channel.QUICK and not (result.entitled or result.near_miss):
        raise TransitionRefused(gettext("Your records are too far from this clause's conditions."))
    # On a near miss the rules give nothing on the records (assessed at 0): the projects and
    # the most the evidence could win are those of the clause with its conditions met.
    basis, basis_line = (
        (result, line)
        if result.entitled
        else assess(organisation, clause, project, as_of, waived=True)
    )
    if project and basis_line is None:
        raise ValidationError({"project": gettext("No such project under this clause.")})
    if not project and basis.per_project:
        # A clause paid per project (per standard, per award) is applied for one project at a
        # time; without one, the whole total could be claimed beside each project's own.
        raise ValidationError({"project": gettext("Choose the project this application is for.")})
    if_met = basis_line.amount if basis_line is not None else basis.amount
    if not result.entitled and if_met <= 0:
        raise TransitionRefused(_nothing_even_if_met(result))
    amount = line.amount if line is not None else result.amount
    version = measures.version_for(clause.rulebook, result.id, result.version)
    assessment = result.to_dict()
    statement = _clean_statement(statement) or prefilled_statement(
        organisation, version.title, assessment, if_met
    )
    application = Application(
        number=uuid.uuid4().hex[:20],
        enterprise=organisation,
        clause=clause,
        version=version,
        channel=channel,
        year=as_of.year,
        project=project,
        statement=statement,
        amount_assessed=amount,
        assessment=assessment,
        assessed_on=as_of,
        created_by=actor,
    )
    application.full_clean(exclude=["number"])
    save_new(application, "applications_one_live_per_project")
    application.number = f"SB{as_of.year}{application.pk:06d}"
    application.save(update_fields=["number"])
    record(actor, "application.create", application, channel=channel, amount=str(amount))
    if channel == Channel.AUTO:
        take(actor, application, "submit", reason=gettext("Confirmed without application."))
    return application


def _nothing_even_if_met(result) -> str:
    """Why a near miss cannot be applied for: even with its conditions met the rules give
    nothing on the verified records, most often because the record it needs awaits staff's
    verification (money rests only on facts the enterprise cannot make up alone)."""
    if result.awaiting:
        return gettext(
            "This clause pays once staff verify the record it rests on: %(records)s. Nothing "
            "needs to be applied for until then."
        ) % {"records": "、".join(str(row.get("record", "")) for row in result.awaiting)}
    return gettext(
        "Even with the conditions you miss met, your records give nothing under this clause "
        "this year (its caps may be reached)."
    )


def prefilled_statement(organisation, title: str, assessment: dict, amount) -> str:
    """A first draft of the statement from the platform's records (快申快享: the enterprise
    corrects it rather than writing from nothing): the conditions met, what is missing, the
    amount the rules give (on a near miss, the most they give once the evidence shows the
    missing conditions met)."""
    lines = [
        gettext("%(enterprise)s applies under “%(title)s”.")
        % {"enterprise": organisation.name, "title": title}
    ]
    met = [
        c["label"]
        for c in assessment.get("conditions", [])
        if c.get("met") and not c.get("implicit")
    ]
    if met:
        lines.append(gettext("Conditions met on the records: %(list)s.") % {"list": "；".join(met)})
    if assessment.get("missing"):
        lines.append(
            gettext("To be shown by the evidence: %(list)s.")
            % {"list": "；".join(assessment["missing"])}
        )
    if assessment.get("missing"):
        lines.append(
            gettext(
                "Amount under the rules once the evidence is accepted: at most %(amount)s yuan."
            )
            % {"amount": amount}
        )
    else:
        lines.append(gettext("Amount under the rules: %(amount)s yuan.") % {"amount": amount})
    return "\n".join(lines)[:STATEMENT_MAX]


#: The states in which the enterprise still writes its application (its words, its files).
EDITABLE = (Status.DRAFT, Status.RETURNED)

#: The longest statement an enterprise may write for its application.
STATEMENT_MAX = 5000


def _clean_statement(statement: str) -> str:
    statement = (statement or "").strip()
    if len(statement) > STATEMENT_MAX:
        raise ValidationError(
            {
                "statement": gettext("Write at most %(max)s characters (this has %(n)s).")
                % {"max": STATEMENT_MAX, "n": len(statement)}
            }
        )
    return statement


@transaction.atomic
def update_statement(actor, application: Application, statement: str) -> Application:
    """The enterprise's own words for the committee (申报说明), written or corrected while the
    application is a draft or was returned to it; prefilled from the assessment at the start."""
    ensure(by_applicant(actor, application))
    closed = gettext("The statement can be changed only before submitting.")
    if application.status not in EDITABLE:
        raise TransitionRefused(closed)
    hold_status(application, EDITABLE, closed)
    application.statement = _clean_statement(statement)
    application.save(update_fields=["statement", "updated_at"])
    record(actor, "application.statement", application, length=len(application.statement))
    return application


@transaction.atomic
def add_evidence(actor, application: Application, item: str, upload) -> Evidence:
    """Attach a file for one evidence item; a file already there for it is superseded."""
    ensure(by_applicant(actor, application))
    closed = gettext("Evidence can be added only before submitting.")
    if application.status not in EDITABLE:
        raise TransitionRefused(closed)
    hold_status(application, EDITABLE, closed)
    if item not in required_evidence(application):
        raise ValidationError({"item": gettext("This clause asks for no such evidence.")})
    accepted = accept_upload(upload, EVIDENCE_KINDS)
    evidence = Evidence(
        application=application, item=item, uploaded_by=actor, **accepted.record_fields()
    )
    accepted.store(evidence.file)
    evidence.save()
    application.evidence.filter(item=item, superseded_by__isnull=True).exclude(
        pk=evidence.pk
    ).update(superseded_by=evidence)
    record(actor, "application.evidence", application, item=item, sha256=evidence.sha256)
    return evidence
