"""Operations on the measures: rule books and clause versions, explanations, screening.

The rules engine (zhibiao/rules) is pure; this module feeds it the platform's records and keeps
its compiled clause sets per process, recompiling only when a version is published.
"""

from __future__ import annotations

import datetime
import functools
import threading
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.accounts.models import User
from zhibiao.accounts.permissions import Actor, ensure, is_district_admin, users_acting_for
from zhibiao.audit.services import record
from zhibiao.directory.models import Organisation
from zhibiao.jobs.services import enqueue
from zhibiao.measures import facts, provenance
from zhibiao.measures.channels import auto_refusal
from zhibiao.measures.models import Clause, ClauseVersion, Entitlement, Mode, RuleBook, Screening
from zhibiao.notifications.services import notify
from zhibiao.policies.models import PolicyDocument
from zhibiao.rules import (
    ClauseSet,
    Explanation,
    RuleError,
    RuleValidationError,
    evaluate_population,
    explain,
    load_yaml,
    validate_yaml,
)
from zhibiao.rules.examples import check_examples

HEADER_KEYS = ("format", "document", "caps", "near_miss", "example_base", "example_as_of")


class RuleTextInvalid(ValidationError):
    """A rule text the engine refuses; `errors` keep line and column for the editor."""

    def __init__(self, errors: list[RuleError]) -> None:
        self.errors = errors
        super().__init__([_describe(error) for error in errors])


def _describe(error: RuleError) -> str:
    where = f"{error.line}:{error.column} " if error.line else ""
    return f"{where}{error.path}: {error.message}" if error.path else f"{where}{error.message}"


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(text: str) -> Any:
    """Plain YAML (libyaml when present); positions come from the engine's own reader."""
    return yaml.load(text, Loader=_LOADER)


@functools.lru_cache(maxsize=8)
def _parse_rule_file(text: str) -> ClauseSet:
    """A whole rule file, parsed and checked once per process and text."""
    try:
        return load_yaml(text, facts.schema())
    except RuleValidationError as error:
        raise RuleTextInvalid(list(error.errors)) from None


# --- Compiled clause sets -------------------------------------------------------------------

_compiled: dict[int, tuple[tuple, ClauseSet]] = {}
_compiled_lock = threading.Lock()


def _published(rulebook: RuleBook):
    return (
        ClauseVersion.objects.published()
        .filter(clause__rulebook=rulebook)
        .select_related("clause")
        .order_by("clause__position", "clause__code", "number")
    )


def _build(header: str, sources: list[str], checked: str | None = None) -> ClauseSet:
    return _compile(header, tuple(sources), checked)


@functools.lru_cache(maxsize=64)
def _compile(header: str, sources: tuple[str, ...], checked: str | None) -> ClauseSet:
    """Compile clause texts. Examples are kept only for the clause being `checked`.

    Evaluation does not need examples, and an older version's examples may fall outside the
    period a newer version left it, so they are not allowed to stop anything but their own
    clause's publication.
    """
    data = _load(header) or {}
    for key in ("example_base", "example_as_of"):
        if checked is None:
            data.pop(key, None)
    clauses = []
    for source in sources:
        clause = _load(source)
        if clause.get("id") != checked:
            clause.pop("examples", None)
        clauses.append(clause)
    data["clauses"] = clauses
    return ClauseSet.from_dict(data, facts.schema())


def clause_set(rulebook: RuleBook) -> ClauseSet:
    """The published clauses of a rule book, compiled once per process and version set."""
    versions = list(_published(rulebook).values_list("pk", "source"))
    key = (rulebook.updated_at, tuple(pk for pk, _source in versions))
    with _compiled_lock:
        cached = _compiled.get(rulebook.pk)
        if cached and cached[0] == key:
            return cached[1]
    compiled = _build(rulebook.header, [source for _pk, source in versions])
    with _compiled_lock:
        _compiled[rulebook.pk] = (key, compiled)
    return compiled


def latest_compiled(clause: Clause):
    """The clause's latest published version, compiled with its rule book (None: no version)."""
    version = clause.versions.published().order_by("-number").first()
    if version is None:
        return None
    return clause_set(clause.rulebook).get(clause.code, version.number)


def auto_allowed(clause: Clause) -> bool:
    """Whether an entitlement under the clause may be confirmed without application: the clause
    is set so, and its latest version reads only facts independent of the enterprise."""
    if clause.mode != Mode.AUTO:
        return False
    compiled = latest_compiled(clause)
    return compiled is not None and auto_refusal(compiled) is None


def version_for(rulebook: RuleBook, clause_id: str, number: int) -> ClauseVersion:
    return ClauseVersion.objects.select_related("clause").get(
        clause__rulebook=rulebook, clause__code=clause_id, number=number
    )


# --- Checking and publishing clause texts ----------------------------------------------------


@dataclass
class CheckedVersion:
    clause_set: ClauseSet  # the rule book's other clauses with this version
    data: dict[str, Any]
    errors: list[RuleError]


def _as_list_item(text: str) -> tuple[str, int]:
    lines = text.rstrip().splitlines() or [""]
    return "\n".join(("- " if i == 0 else "  ") + line for i, line in enumerate(lines)), 2


def check_version_text(
    rulebook: RuleBook, text: str, *, clause: Clause | None = None
) -> CheckedVersion:
    """Validate one clause's text against the fact list and the rest of its rule book.

    Errors carry line and column in `text` itself. A text that is sound is then run against its
    own example cases; a failing example is an error too.
    """
    header = rulebook.header.rstrip() + "\nclauses:\n"
    offset_lines = header.count("\n")
    item, indent = _as_list_item(text)
    raw = validate_yaml(header + item + "\n", facts.schema())
    errors = [
        RuleError(
            error.path.removeprefix("clauses[0].").removeprefix("clauses[0]"),
            (error.line - offset_lines) if error.line else None,
            (error.column - indent) if error.column and error.line else error.column,
            error.message,
            error.kind,
        )
        for error in raw
    ]
    try:
        data = _load(text)
    except yaml.YAMLError:
        data = None
    if not isinstance(data, dict):
        problem = gettext("The text must describe one clause (a YAML mapping).")
        return CheckedVersion(ClauseSet([], facts.schema()), {}, errors or [_error("", problem)])
    errors += _identity_errors(rulebook, data, clause)
    if errors:
        return CheckedVersion(ClauseSet([], facts.schema()), data, errors)
    others = list(
        _published(rulebook).exclude(clause__code=data["id"]).values_list("source", flat=True)
    )
    try:
        combined = _build(rulebook.header, [*others, dump_yaml(data)], checked=data["id"])
    except RuleValidationError as error:
        return CheckedVersion(ClauseSet([], facts.schema()), data, list(error.errors))
    new = combined.get(data["id"], data["version"])
    failures = check_examples(combined, [new])
    errors += [
        _error(
            "examples",
            gettext("Example “%(name)s” fails: %(problem)s")
            % {"name": failure.example, "problem": failure.problem},
        )
        for failure in failures
    ]
    return CheckedVersion(combined, data, errors)


def _error(path: str, message: str) -> RuleError:
    return RuleError(path, None, None, message, "value")


def _identity_errors(rulebook: RuleBook, data: dict, clause: Clause | None) -> list[RuleError]:
    errors = []
    code = data.get("id")
    if clause is not None and code != clause.code:
        errors.append(_error("id", gettext("The id must stay “%(code)s”.") % {"code": clause.code}))
    elif clause is None and Clause.objects.filter(code=code).exists():
        errors.append(_error("id", gettext("A clause “%(code)s” already exists.") % {"code": code}))
    start = data.get("effective_from")
    if (
        clause is not None
        and isinstance(start, datetime.date)
        and start < timezone.localdate()
        and clause.versions.published().exists()
    ):
        errors.append(
            _error(
                "effective_from",
                gettext("A new version starts today or later, not on %(date)s.") % {"date": start},
            )
        )
    expected = next_number(clause)
    if data.get("version") != expected:
        errors.append(
            _error("version", gettext("The version must be %(number)s.") % {"number": expected})
        )
    return errors


def next_number(clause: Clause | None) -> int:
    if clause is None:
        return 1
    return (clause.versions.aggregate(top=Max("number"))["top"] or 0) + 1


@transaction.atomic
def publish_version(
    actor: Actor,
    rulebook: RuleBook,
    text: str,
    *,
    clause: Clause | None = None,
    mode: str = Mode.QUICK,
    needs_review: bool = True,
    change_note: str = "",
) -> ClauseVersion:
    """Publish a new version (of a new or an existing clause) after every check passes.

    A version that starts while the previous one is in force ends the previous one the day
    before: the only change ever made to a published version, and it is recorded.
    """
    ensure(is_district_admin(actor))
    assert isinstance(actor, User)  # an administrator is signed in: the version's author
    checked = check_version_text(rulebook, text, clause=clause)
    if checked.errors:
        raise RuleTextInvalid(checked.errors)
    data = checked.data
    if (clause.mode if clause is not None else mode) == Mode.AUTO:
        refusal = auto_refusal(checked.clause_set.get(data["id"], data["version"]))
        if refusal:
            raise RuleTextInvalid([_error("mode", refusal)])
    if clause is None:
        position = (rulebook.clauses.aggregate(top=Max("position"))["top"] or 0) + 1
        clause = Clause.objects.create(
            rulebook=rulebook,
            code=data["id"],
            position=position,
            mode=mode,
            needs_review=needs_review,
        )
    _end_previous(actor, clause, data["effective_from"])
    version = ClauseVersion.objects.create(
        clause=clause,
        number=data["version"],
        title=data["title"],
        category=data["category"],
        effective_from=data["effective_from"],
        effective_to=data.get("effective_to"),
        source=text.strip() + "\n",
        change_note=change_note,
        created_by=actor,
        published_at=timezone.now(),
    )
    record(actor, "clause.publish", version, code=clause.code, number=version.number)
    return version


def _end_previous(actor: Actor, clause: Clause, start: datetime.date) -> None:
    """A new version of a clause in force starts today at the earliest: measures are not
    changed retroactively (what was assessed stays assessed under the old version)."""
    previous = clause.versions.published().order_by("-number").first()
    if previous is None:
        return
    if start < timezone.localdate():
        raise RuleTextInvalid(
            [
                _error(
                    "effective_from",
                    gettext("A new version starts today or later, not on %(date)s.")
                    % {"date": start},
                )
            ]
        )
    if start <= previous.effective_from:
        raise RuleTextInvalid(
            [
                _error(
                    "effective_from",
                    gettext("A new version must start after the previous one (%(date)s).")
                    % {"date": previous.effective_from},
                )
            ]
        )
    if previous.effective_to is None or previous.effective_to >= start:
        end = start - datetime.timedelta(days=1)
        data = _load(previous.source)
        data["effective_to"] = end
        previous.source = dump_yaml(data)
        previous.effective_to = end
        previous.save(update_fields=["source", "effective_to"])
        record(actor, "clause.version_ended", previous, effective_to=end)


@transaction.atomic
def update_clause_settings(
    actor: Actor, clause: Clause, *, mode: str, needs_review: bool
) -> Clause:
    """How the clause is granted. Without application only if it reads no fact the enterprise
    or a party on its side can record alone (refused by name otherwise)."""
    ensure(is_district_admin(actor))
    if mode == Mode.AUTO:
        compiled = latest_compiled(clause)
        refusal = auto_refusal(compiled) if compiled is not None else None
        if refusal:
            raise ValidationError({"mode": refusal})
    clause.mode, clause.needs_review = mode, needs_review
    clause.full_clean()
    clause.save(update_fields=["mode", "needs_review"])
    record(actor, "clause.settings", clause, mode=mode, needs_review=needs_review)
    return clause


def parse_source(source: str) -> dict[str, Any]:
    return _load(source) or {}


NEW_CLAUSE_TEMPLATE = """\
id: {code}
version: 1
title: 新条款名称
category: 标准
effective_from: {today}
effective_to: null
conditions:
  - label: 在本区依法注册登记
    expr: registered_in_district
  - label: 信用良好(未列入严重违法失信名单)
    expr: credit_status != "严重违法失信"
award:
  amount: 10000
evidence: [申报材料]
examples:
  - name: 符合条件
    as_of: {today}
    facts: {{registered_in_district: true}}
    expect: {{entitled: true, amount: 10000}}
  - name: 不在本区注册
    as_of: {today}
    facts: {{registered_in_district: false}}
    expect: {{entitled: false}}
  - name: 列入严重违法失信名单
    as_of: {today}
    facts: {{registered_in_district: true, credit_status: serious}}
    expect: {{entitled: false}}
"""


def draft_text(rulebook: RuleBook, clause: Clause | None) -> str:
    """What the editor starts from: the latest version with the next number, or a template."""
    if clause is None:
        today = timezone.localdate()
        code = f"{rulebook.code.split('-')[0]}-NEW-{Clause.objects.count() + 1}"
        return NEW_CLAUSE_TEMPLATE.format(code=code, today=today.isoformat())
    latest = clause.versions.order_by("-number").first()
    assert latest is not None, "a clause is created with its first version"
    data = parse_source(latest.source)
    data["version"] = next_number(clause)
    return dump_yaml(data)


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


# --- Rule files (YAML under version control) -------------------------------------------------


def export_rulebook(rulebook: RuleBook) -> str:
    """The rule book as one YAML file: its head and every published version, in order."""
    head = _load(rulebook.header) or {}
    head["clauses"] = [
        _load(source) for source in _published(rulebook).values_list("source", flat=True)
    ]
    return (
        f"# {rulebook.document.title}\n# exported {timezone.localdate().isoformat()}\n"
        + dump_yaml(head)
    )


@dataclass
class ImportReport:
    created: list[str]
    unchanged: list[str]


@transaction.atomic
def import_rulebook(
    actor: Actor | None, document, text: str, *, modes: dict[str, str] | None = None
) -> ImportReport:
    """Create or extend a document's rule book from a YAML file: all of it, or nothing.

    Versions already published must be identical in the file; new versions are published.
    """
    ensure(actor is None or is_district_admin(actor))
    assert actor is None or isinstance(actor, User)  # None: a command or the demo, no one
    clause_set_ = _parse_rule_file(text)
    data = _load(text)
    header = dump_yaml({key: data[key] for key in HEADER_KEYS if key in data})
    code = (data.get("document") or {}).get("id") or f"DOC-{document.pk}"
    rulebook = RuleBook.objects.filter(document=document).first()
    if rulebook is None:
        rulebook = RuleBook.objects.create(document=document, code=code, header=header)
    elif rulebook.header != header:
        rulebook.header = header
        rulebook.save(update_fields=["header", "updated_at"])
    report = ImportReport([], [])
    modes = modes or {}
    for position, (clause, raw) in enumerate(zip(clause_set_, data["clauses"], strict=True), 1):
        existing = ClauseVersion.objects.filter(
            clause__code=clause.id, number=clause.version
        ).first()
        label = f"{clause.id} v{clause.version}"
        if modes.get(clause.id) == Mode.AUTO and (refusal := auto_refusal(clause)):
            raise RuleTextInvalid([_error(label, refusal)])
        if existing is not None:
            if _load(existing.source) != raw:
                raise RuleTextInvalid(
                    [
                        _error(
                            label,
                            gettext(
                                "This version is already published with other content; "
                                "give a changed clause a new version number."
                            ),
                        )
                    ]
                )
            report.unchanged.append(label)
            continue
        row, _ = Clause.objects.get_or_create(
            code=clause.id,
            defaults={
                "rulebook": rulebook,
                "position": position,
                "mode": modes.get(clause.id, Mode.QUICK),
            },
        )
        if row.rulebook_id != rulebook.pk:
            raise RuleTextInvalid(
                [_error(label, gettext("This clause belongs to another document."))]
            )
        ClauseVersion.objects.create(
            clause=row,
            number=clause.version,
            title=clause.title,
            category=clause.category,
            effective_from=clause.effective_from,
            effective_to=clause.effective_to,
            source=dump_yaml(raw),
            created_by=actor,
            published_at=timezone.now(),
        )
        report.created.append(label)
    if report.created:
        record(actor, "rulebook.import", rulebook, created=report.created)
    return report


# --- Explanations and screening --------------------------------------------------------------


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
) -> list[tuple[RuleBook, Explanation]]:
    """Every rule book's explanation for one enterprise, from its verified records as they are
    now, with where each fact came from and what awaits verification (`provenance`).

    `claims` counts the applications still on their way as received, to see what the caps leave
    for one more (facts.CLAIM_STATES); what is shown to the enterprise never does."""
    as_of = as_of or timezone.localdate()
    enterprise_facts = facts.facts_for(
        organisation, as_of, excluding_application=excluding_application, claims=claims
    )
    triples = [
        (rulebook, compiled, explain(compiled, enterprise_facts, as_of))
        for rulebook in rulebooks_in_force(as_of)
        for compiled in [clause_set(rulebook)]
    ]
    if with_provenance:
        provenance.annotate(
            organisation, as_of, triples, excluding_application=excluding_application
        )
    return [(rulebook, explanation) for rulebook, _compiled, explanation in triples]


def screen(progress, *, as_of: str) -> dict[str, Any]:
    """The background task: every enterprise against every rule book; keep the entitled."""
    day = datetime.date.fromisoformat(as_of)  # a job's arguments are JSON: the date is text
    screening = Screening.objects.create(as_of=day, job=progress.job)
    steps = 3
    progress(0, steps, gettext("Reading the records"))
    books = [(rulebook, clause_set(rulebook)) for rulebook in rulebooks_in_force(day)]
    needed = set().union(*(facts.needed_by(compiled) for _rb, compiled in books))
    population, ids = facts.population(day, needed=needed)
    progress(1, steps, gettext("Applying the rules"))
    rows: list[Entitlement] = []
    entitled_any = set()
    total = Decimal(0)
    for rulebook, compiled in books:
        result = evaluate_population(compiled, population, day)
        versions = {(v.clause.code, v.number): v for v in _published(rulebook)}
        for column, clause in enumerate(result.clauses):
            version = versions[(clause.id, clause.version)]
            for row in result.entitled[:, column].nonzero()[0]:
                amount = result.amount(int(row), clause.id)
                rows.append(
                    Entitlement(
                        screening=screening,
                        version=version,
                        organisation_id=ids[row],
                        amount=amount,
                    )
                )
                entitled_any.add(ids[row])
                total += amount
    progress(2, steps, gettext("Saving the entitled"))
    Entitlement.objects.bulk_create(rows, batch_size=2000)
    Screening.objects.filter(pk=screening.pk).update(
        enterprises=len(ids), entitled=len(entitled_any), total=total, finished_at=timezone.now()
    )
    return {
        "entitled": len(entitled_any),
        "rows": len(rows),
        "link": f"/measures/screenings/{screening.pk}/",
    }


@transaction.atomic
def start_screening(actor: Actor, as_of: datetime.date | None = None):
    """Screen the whole population in the background; returns the job to follow."""

    ensure(is_district_admin(actor))
    as_of = as_of or timezone.localdate()
    return enqueue(
        actor,
        "zhibiao.measures.services.screen",
        title=gettext("Screening on %(date)s") % {"date": as_of.isoformat()},
        as_of=as_of.isoformat(),
    )


def latest_screening() -> Screening | None:
    return (
        Screening.objects.filter(finished_at__isnull=False).order_by("-finished_at", "-pk").first()
    )


@transaction.atomic
def notify_entitled(actor: Actor, clause: Clause, screening: Screening) -> int:
    """Tell every entitled enterprise of a clause (免申即享) that it only needs to confirm.

    Only the users who act for it are told: an expert who works there may not confirm, and is
    not to learn its money from the platform (`users_acting_for`)."""

    ensure(is_district_admin(actor))
    pending = list(
        Entitlement.objects.filter(
            screening=screening, version__clause=clause, notified_at__isnull=True
        ).select_related("organisation", "version")
    )
    users_by_org: dict[int | None, list] = {}
    for user in users_acting_for(e.organisation_id for e in pending):
        users_by_org.setdefault(user.organisation_id, []).append(user)
    notified = []
    for entitlement in pending:
        recipients = users_by_org.get(entitlement.organisation_id, [])
        if not recipients:
            continue
        notify(
            recipients,
            kind="entitlement",
            title=gettext("You are entitled to “%(title)s”: %(amount)s yuan")
            % {"title": entitlement.version.title, "amount": entitlement.amount},
            body=gettext("Confirm it on “My policies”; no application is needed."),
            link="/measures/mine/",
        )
        notified.append(entitlement.pk)
    Entitlement.objects.filter(pk__in=notified).update(notified_at=timezone.now())
    record(actor, "entitlement.notify", clause, screening=screening.pk, notified=len(notified))
    return len(notified)
