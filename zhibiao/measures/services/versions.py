"""Checking and publishing clause texts: a version is checked against the fact list, the rest
of its rule book and its own examples before it is published; the editor's starting text.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhibiao.accounts.models import User
from zhibiao.accounts.permissions import Actor, ensure, is_district_admin
from zhibiao.audit.services import record
from zhibiao.measures import facts
from zhibiao.measures.channels import auto_refusal
from zhibiao.measures.models import Clause, ClauseVersion, Mode, RuleBook
from zhibiao.measures.services.compiled import (
    RuleTextInvalid,
    _build,
    _error,
    _load,
    _published,
    auto_refusal_of,
    dump_yaml,
)
from zhibiao.rules import ClauseSet, RuleError, RuleValidationError, validate_yaml
from zhibiao.rules.errors import rule_error
from zhibiao.rules.examples import check_examples


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
        replace(
            error,
            path=error.path.removeprefix("clauses[0].").removeprefix("clauses[0]"),
            line=(error.line - offset_lines) if error.line else None,
            # at least 1: PyYAML puts the end of the text at column 1 of a line after it
            column=max(error.column - indent, 1) if error.column and error.line else error.column,
        )
        for error in raw
    ]
    try:
        data = _load(text)
    except (yaml.YAMLError, ValueError, RecursionError):  # said by validate_yaml, positioned
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
    # A phrase like the engine's errors (English message, translated where staff read it).
    errors += [
        rule_error(
            "examples",
            None,
            None,
            gettext_noop("Example “%(name)s” fails: %(problem)s"),
            "example",
            name=failure.example,
            problem=failure.phrase or failure.problem,
        )
        for failure in failures
    ]
    return CheckedVersion(combined, data, errors)


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
    errors += [_error(name, message) for name, message in too_long(data)]
    expected = next_number(clause)
    if data.get("version") != expected:
        errors.append(
            _error("version", gettext("The version must be %(number)s.") % {"number": expected})
        )
    return errors


def too_long(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The clause's id, title and category that exceed their columns: the text's language
    bounds none of them, and a database refuses a value too long (a server error on
    PostgreSQL) where SQLite keeps it. (name, message) pairs, for the editor and the import."""
    found = []
    for name, field in (
        ("id", Clause._meta.get_field("code")),
        ("title", ClauseVersion._meta.get_field("title")),
        ("category", ClauseVersion._meta.get_field("category")),
    ):
        value, longest = data.get(name), field.max_length or 0
        if isinstance(value, str) and len(value) > longest:
            found.append(
                (
                    name,
                    gettext("%(name)s: at most %(count)s characters (this has %(length)s).")
                    % {"name": name, "count": longest, "length": len(value)},
                )
            )
    return found


def next_number(clause: Clause | None) -> int:
    if clause is None:
        return 1
    return (clause.versions.aggregate(top=Max("number"))["top"] or 0) + 1


#: What a version's "what changed" holds: its column, read from the model.
CHANGE_NOTE_MAX = ClauseVersion._meta.get_field("change_note").max_length or 0


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
    # One publication at a time per rule book: two editors publishing the same number (or the
    # same new clause) at once would otherwise both pass the checks below, and the second
    # would meet the unique constraint as a server error instead of its message.
    RuleBook.objects.select_for_update().only("pk").get(pk=rulebook.pk)
    change_note = (change_note or "").strip()
    if len(change_note) > CHANGE_NOTE_MAX:
        raise ValidationError(
            {
                "change_note": gettext("Write at most %(max)s characters (this has %(n)s).")
                % {"max": CHANGE_NOTE_MAX, "n": len(change_note)}
            }
        )
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
    end_previous(actor, clause, data["effective_from"])
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


def end_previous(actor: Actor | None, clause: Clause, start: datetime.date) -> None:
    """A new version of a clause in force starts today at the earliest: measures are not
    changed retroactively (what was assessed stays assessed under the old version). Ends the
    version in force the day before. The editor and a rule file's import both publish so."""
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
        # Every version still to pay, not only the latest: an older one stays in force until a
        # newer one starts (`auto_refusal_of`).
        refusal = auto_refusal_of(clause)
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
    waivable: false
  - label: 信用良好(未列入严重违法失信名单)
    expr: credit_status != "严重违法失信"
    waivable: false
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
