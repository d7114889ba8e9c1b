"""Operations on scenarios: start one, draft clauses in it, save it with its figures, publish it;
set budgets; compute an impact.

Each takes the acting user, checks that they may act (district staff), runs in one transaction
and writes one audit entry. Drafts are checked exactly as the clause editor checks a version
(zhibiao.measures.services.check_version_text): a draft the editor would refuse is refused here
with the same messages. Every edit of a scenario is conditional on the revision the page was
showing, so that two staff editing one scenario cannot overwrite each other (409).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhibiao.accounts.permissions import Actor, by_district_staff, ensure, is_district_admin
from zhibiao.audit.services import record
from zhibiao.core.errors import ConcurrentChange, TransitionRefused
from zhibiao.core.forms import prefixed
from zhibiao.core.permissions import ensure_can
from zhibiao.core.workflow import Machine, Step, take
from zhibiao.measures import services as measures
from zhibiao.measures.models import Clause, RuleBook
from zhibiao.rules import RuleError
from zhibiao.whatif import impact as impacts
from zhibiao.whatif.models import Budget, Draft, Scenario, ScenarioStatus, ScenarioStep

CONCURRENT = gettext_lazy(
    "Someone else changed this scenario in the meantime; reload the page to see their changes."
)


def document_problem(rulebook: RuleBook, on: datetime.date | None = None) -> str | None:
    """Why the rule book's document cannot carry a scenario, or None: it must be published and
    in force (a scenario weighs changes to measures that apply)."""
    on = on or timezone.localdate()
    document = rulebook.document
    if not document.is_published:
        return gettext("The document “%(title)s” is not published.") % {"title": document}
    if document.effective_from > on or (document.effective_to and document.effective_to < on):
        return gettext("The document “%(title)s” is not in force (%(start)s to %(end)s).") % {
            "title": document,
            "start": document.effective_from,
            "end": document.effective_to or "",
        }
    return None


def draft_problems(scenario: Scenario) -> list[str]:
    """What stops the scenario from being saved or published, in words (empty: nothing)."""
    problems = []
    problem = document_problem(scenario.rulebook)
    if problem:
        problems.append(problem)
    drafts = list(scenario.drafts.select_related("clause"))
    if not drafts:
        problems.append(gettext("The scenario has no draft yet."))
    for draft in drafts:
        if draft.removed:
            continue
        errors = check_draft(scenario.rulebook, draft.text, draft.clause).errors
        if errors:
            problems.append(
                gettext("The draft of %(code)s has %(count)s problems.")
                % {"code": draft.code, "count": len(errors)}
            )
    return problems


def _ready(scenario: Scenario, data: dict) -> None:
    problems = draft_problems(scenario)
    if problems:
        raise TransitionRefused(" ".join(problems))


def _save_effect(scenario: Scenario, data: dict) -> dict:
    """The step's reason is the scenario's comment (required, so every kept scenario says what
    it weighs); the figures are computed now and kept as they stand."""
    comment = data["reason"]
    if len(comment) > 2000:
        raise ValidationError({"reason": gettext("A comment is at most 2,000 characters.")})
    return {"comment": comment, "figures": figures_of(scenario), "saved_at": timezone.now()}


def _ready_to_publish(scenario: Scenario, data: dict) -> None:
    _ready(scenario, data)
    if scenario.drafts.filter(removed=True).exists():
        raise TransitionRefused(
            gettext(
                "A removed clause is not published from a scenario: end it with a draft whose "
                "“effective_to” is its last day."
            )
        )


SCENARIO_MACHINE = Machine(
    Scenario,
    (
        Step(
            "save",
            (ScenarioStatus.DRAFT,),
            ScenarioStatus.SAVED,
            gettext_lazy("Save"),
            by="staff",
            reason_required=True,
            check=_ready,
            effect=_save_effect,
            done=gettext_lazy("Saved with its figures; compare it with other scenarios."),
        ),
        Step(
            "publish",
            (ScenarioStatus.SAVED,),
            ScenarioStatus.PUBLISHED,
            gettext_lazy("Publish"),
            by="staff",
            check=_ready_to_publish,
            effect=lambda scenario, data: {"published_at": timezone.now()},
            done=gettext_lazy("Published: the drafts are now clause versions."),
        ),
    ),
    sides={"staff": by_district_staff},
    history=ScenarioStep,
    history_link="scenario",
    audit_prefix="scenario",
    wrong_state=gettext_lazy("“%(step)s” is not possible while the scenario is %(status)s."),
    concurrent=CONCURRENT,
    restrict="change",
    audit_changes=False,
)


def check_draft(rulebook: RuleBook, text: str, clause: Clause | None) -> measures.CheckedVersion:
    """The clause editor's check of a text (fact list, the rest of the rule book, examples)."""
    return measures.check_version_text(rulebook, text, clause=clause)


def initial_text(rulebook: RuleBook, clause: Clause | None) -> str:
    """A draft's starting text: the clause's next version starting today, or a new clause."""
    text = measures.draft_text(rulebook, clause)
    if clause is None:
        return text
    today = timezone.localdate()
    data = measures.parse_source(text)
    data["effective_from"] = today
    header = measures.parse_source(rulebook.header)
    base_day = header.get("example_as_of")
    for example in data.get("examples") or []:
        # The examples move into the new period, with their records' years, as they must to
        # pass the editor's check of a version starting today.
        day = example.get("as_of") or base_day
        shift = today.year - day.year if isinstance(day, datetime.date) else 0
        example["as_of"] = today
        example["facts"] = _moved(example.get("facts") or {}, shift)
    return measures.dump_yaml(data)


def _moved(value: Any, years: int) -> Any:
    """Every `year` of an example's records moved by `years`."""
    if isinstance(value, dict):
        return {
            key: item + years
            if key == "year" and isinstance(item, int) and not isinstance(item, bool)
            else _moved(item, years)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_moved(item, years) for item in value]
    return value


def _new_scenario(actor, rulebook: RuleBook, title: str) -> Scenario:
    """The scenario's row, checked and saved, without the permission check or the audit entry
    (the public operations that start a scenario do both, once for all they do)."""
    problem = document_problem(rulebook)
    if problem:
        raise ValidationError({"rulebook": problem})
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": gettext("Give the scenario a title.")})
    scenario = Scenario(rulebook=rulebook, title=title, author=actor)
    scenario.full_clean()
    scenario.save()
    return scenario


@transaction.atomic
def start_scenario(
    actor, rulebook: RuleBook, *, title: str, clause: Clause | None = None
) -> Scenario:
    """A new scenario over the rule book, with a draft of `clause` if one is given."""
    ensure(is_district_admin(actor))
    scenario = _new_scenario(actor, rulebook, title)
    if clause is not None and clause.rulebook_id != rulebook.pk:
        raise ValidationError({"clause": gettext("The clause is not in this rule book.")})
    if clause is not None:
        Draft.objects.create(
            scenario=scenario,
            clause=clause,
            code=clause.code,
            text=initial_text(rulebook, clause),
            updated_by=actor,
        )
    record(
        actor,
        "scenario.start",
        scenario,
        rulebook=rulebook.code,
        clause=clause.code if clause else "",
    )
    return scenario


@dataclass(frozen=True)
class NewDraft:
    """One draft given with a new scenario: the code of the clause drafted (None: a new
    clause, named by its text's `id`), its rule text, or the clause's removal."""

    clause: str | None = None
    text: str = ""
    removed: bool = False


def _draft_errors(number: int, error: ValidationError) -> dict[str, list[str]]:
    """The refusal of the `number`th draft, each message under `drafts.<number>.<field>`, so a
    client reads which draft and which of its fields; a refused rule text (and any refusal
    naming no field of the draft's own) under its `text`, a refusal of the whole draft under
    `drafts.<number>`."""
    prefix = f"drafts.{number}"
    if isinstance(error, DraftInvalid) or not hasattr(error, "error_dict"):
        return {f"{prefix}.text": error.messages}
    return prefixed(error, prefix)


@transaction.atomic
def start_scenario_with_drafts(
    actor: Actor, rulebook: RuleBook, *, title: str, drafts: Sequence[NewDraft]
) -> Scenario:
    """A new scenario over the rule book with its drafts, all or nothing: each draft checked as
    `set_draft` checks it (the clause editor's check), one draft per clause, the clauses looked
    up among those the actor may see. Every draft's problems are gathered into one refusal
    (keys `drafts.<n>.<field>`), so a client fixes them in one round; one audit entry for the
    whole creation, since it is one act."""
    ensure(is_district_admin(actor))
    scenario = _new_scenario(actor, rulebook, title)
    clauses = Clause.objects.restrict(actor, "view").filter(rulebook=rulebook)
    errors: dict[str, list[str]] = {}
    written: list[Draft] = []
    drafted: set[str] = set()  # the codes drafted so far, given or read from a new text's id
    for number, given in enumerate(drafts):
        clause = None
        if given.clause:
            key = f"drafts.{number}.clause"
            if given.clause in drafted:
                errors[key] = [_drafted_twice(given.clause)]
                continue
            drafted.add(given.clause)
            clause = clauses.filter(code=given.clause).first()
            if clause is None:
                errors[key] = [
                    gettext("No clause %(code)s in this rule book.") % {"code": given.clause}
                ]
                continue
        try:
            draft = _checked_draft(
                actor, scenario, text=given.text, clause=clause, removed=given.removed
            )
        except ValidationError as error:
            errors.update(_draft_errors(number, error))
            continue
        if clause is None:
            if draft.code in drafted:
                errors[f"drafts.{number}.text"] = [_drafted_twice(draft.code)]
                continue
            drafted.add(draft.code)
        written.append(draft)
    if errors:
        raise ValidationError(errors)  # the transaction takes the scenario back
    for draft in written:
        draft.save()
    record(
        actor,
        "scenario.start",
        scenario,
        rulebook=rulebook.code,
        clause="",
        drafts=[{"code": draft.code, "removed": draft.removed} for draft in written],
    )
    return scenario


def _drafted_twice(code: str) -> str:
    return gettext("Clause %(code)s is drafted more than once; give each clause one draft.") % {
        "code": code
    }


def _bump(scenario: Scenario, revision: int) -> None:
    """Claim the scenario for one edit: only from the revision the page showed, only a draft."""
    if scenario.status != ScenarioStatus.DRAFT:
        raise TransitionRefused(
            gettext("The scenario is %(status)s; start a new one to weigh other drafts.")
            % {"status": scenario.get_status_display()}
        )
    matched = Scenario.objects.filter(
        pk=scenario.pk, revision=revision, status=ScenarioStatus.DRAFT
    ).update(revision=F("revision") + 1, updated_at=timezone.now())
    if not matched:
        raise ConcurrentChange(str(CONCURRENT))
    scenario.revision = revision + 1


class DraftInvalid(ValidationError):
    """A draft the clause editor would refuse; `errors` keep line and column."""

    def __init__(self, errors: list[RuleError]) -> None:
        self.errors = errors
        super().__init__(measures.RuleTextInvalid(errors).messages)


def _checked_draft(
    actor, scenario: Scenario, *, text: str, clause: Clause | None, removed: bool
) -> Draft:
    """The draft of `clause` (None: a new clause, named by the text's id) in the scenario,
    checked as the clause editor checks a version, ready to save but not saved: the scenario's
    existing draft of that clause if it has one (a draft replaces it), else a new one.

    Shared by `set_draft` and `start_scenario_with_drafts`, so a draft is checked the same way
    however it comes; neither the claim on the revision nor the audit entry is here, since
    each caller does those once for all it does."""
    if clause is not None and clause.rulebook_id != scenario.rulebook_id:
        raise ValidationError({"clause": gettext("The clause is not in this rule book.")})
    if removed:
        if clause is None:
            raise ValidationError({"removed": gettext("Only an existing clause can be removed.")})
        code, text = clause.code, ""
    else:
        checked = check_draft(scenario.rulebook, text, clause)
        if checked.errors:
            raise DraftInvalid(checked.errors)
        code = checked.data["id"]
    draft = scenario.drafts.filter(code=code).first() or Draft(scenario=scenario, code=code)
    draft.clause, draft.text, draft.removed, draft.updated_by = clause, text, removed, actor
    draft.full_clean()
    return draft


@transaction.atomic
def set_draft(
    actor: Actor,
    scenario: Scenario,
    *,
    revision: int,
    text: str = "",
    clause: Clause | None = None,
    removed: bool = False,
    was: str = "",
) -> Draft:
    """Write (or replace) the draft of `clause` (None: a new clause, named by the text's id)
    in the scenario, checked as the clause editor checks a version.

    `was`: the id of the new clause's draft being edited. A new clause is named by its text,
    so an edit that changes the id renames that draft; without `was` it would stay beside a
    second draft under the new id, and both would count in the impact."""
    ensure_can(actor, "change", scenario)
    draft = _checked_draft(actor, scenario, text=text, clause=clause, removed=removed)
    renamed = scenario.drafts.filter(code=was, clause__isnull=True).first() if was else None
    if renamed is not None and renamed.code != draft.code:
        if draft.pk is not None:  # the new id is another draft's: one draft per clause
            raise ValidationError({"text": _drafted_twice(draft.code)})
        renamed.code, renamed.text, renamed.updated_by = draft.code, draft.text, actor
        draft = renamed
    _bump(scenario, revision)
    draft.save()
    record(actor, "scenario.draft", scenario, code=draft.code, removed=removed)
    return draft


@transaction.atomic
def drop_draft(actor: Actor, scenario: Scenario, *, code: str, revision: int) -> None:
    """Take a clause's draft out of the scenario (the clause stays as it is in force)."""
    ensure_can(actor, "change", scenario)
    _bump(scenario, revision)
    deleted, _kinds = scenario.drafts.filter(code=code).delete()
    if not deleted:
        raise ValidationError(
            {"code": gettext("The scenario has no draft of %(code)s.") % {"code": code}}
        )
    record(actor, "scenario.drop_draft", scenario, code=code)


def save_scenario(actor: Actor, scenario: Scenario, *, comment: str, revision: int) -> Scenario:
    """Keep the scenario with its comment and the figures as they stand (the workflow step;
    the comment is the step's reason)."""
    scenario.revision = revision  # a page's stale revision makes the step a 409
    return take(actor, scenario, "save", reason=comment)


@transaction.atomic
def publish_scenario(actor: Actor, scenario: Scenario, *, revision: int) -> Scenario:
    """Publish the saved scenario's drafts as clause versions: the workflow step, then each
    draft through the measures' own publication (its checks, its audit entries), in one
    transaction, so that one version refused refuses the step and every other version."""
    scenario.revision = revision
    scenario = take(actor, scenario, "publish")
    for draft in scenario.drafts.select_related("clause").order_by("code"):
        measures.publish_version(
            actor,
            scenario.rulebook,
            draft.text,
            clause=draft.clause,
            change_note=gettext("From the scenario “%(title)s”") % {"title": scenario.title},
        )
    return scenario


def impact_of(actor: Actor, scenario: Scenario) -> impacts.Impact:
    """The scenario's impact now (both screenings), for staff."""
    ensure_can(actor, "view", scenario)
    return impacts.screen_twice(scenario)


def figures_of(scenario: Scenario) -> dict[str, Any]:
    """The figures a saved scenario keeps: the impact's, with the first rows of each list."""
    found = impacts.screen_twice(scenario)
    figures = found.figures()
    for kind in ("gainers", "losers"):
        _count, rows = found.listing(kind, limit=impacts.KEPT_ROWS)
        figures[f"top_{kind}"] = rows
    figures["drafts"] = [
        {"code": d.code, "removed": d.removed} for d in scenario.drafts.order_by("code")
    ]
    return figures


@transaction.atomic
def set_budget(
    actor: Actor,
    rulebook: RuleBook,
    *,
    year: int,
    amount: Decimal,
    clause: Clause | None = None,
) -> Budget:
    """The yearly budget of a rule book (or of one of its clauses), replacing any before.

    Two staff setting the same budget at once both replace it, the later one last, as if one
    had set it a moment after the other: the row is written with `update_or_create`, which
    updates a budget that appeared since the check (PostgreSQL makes the insert wait for the
    other transaction, and `get_or_create` reads the committed row after the refusal) instead
    of refusing the insert with a server error."""
    ensure(is_district_admin(actor))
    assert hasattr(actor, "pk")
    key = {"rulebook": rulebook, "year": year, "clause": clause}
    checked = Budget.objects.filter(**key).first() or Budget(**key)
    checked.amount, checked.set_by = amount, actor
    checked.full_clean()
    budget, _created = Budget.objects.update_or_create(
        rulebook=rulebook, year=year, clause=clause, defaults={"amount": amount, "set_by": actor}
    )
    record(
        actor,
        "budget.set",
        budget,
        year=year,
        amount=str(amount),
        clause=clause.code if clause else "",
    )
    return budget
