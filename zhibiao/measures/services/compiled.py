"""Compiled clause sets: the rule books' published versions, parsed and compiled by the pure
rules engine (zhibiao/rules) and kept per process, recompiled only when a version is published.
Also what the other modules share for reading rule texts: the YAML reader and writer and the
refusal of a text (`RuleTextInvalid`, with `_error` for one message at a path).
"""

from __future__ import annotations

import functools
import threading
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from zhibiao.measures import facts
from zhibiao.measures.channels import auto_refusal
from zhibiao.measures.models import Clause, ClauseVersion, Mode, RuleBook
from zhibiao.measures.phrases import say_error
from zhibiao.rules import ClauseSet, RuleError, RuleValidationError, load_yaml

HEADER_KEYS = ("format", "document", "caps", "near_miss", "example_base", "example_as_of")


class RuleTextInvalid(ValidationError):
    """A rule text the engine refuses; `errors` keep line and column for the editor."""

    def __init__(self, errors: list[RuleError]) -> None:
        self.errors = errors
        super().__init__([_describe(error) for error in errors])


def _describe(error: RuleError) -> str:
    """One error as a line of text in the active language (a form's or the API's errors)."""
    where = f"{error.line}:{error.column} " if error.line else ""
    message = say_error(error)
    return f"{where}{error.path}: {message}" if error.path else f"{where}{message}"


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


def pinned_books(rulebooks) -> list[dict[str, Any]]:
    """What `clause_set` would compile for each rule book now, as JSON: its header and its
    published versions' ids. A screening split into chunks pins this once, when it splits, and
    every chunk compiles exactly it (`pinned_clause_sets`), so that a version published or a
    header edited while the chunks run reaches all of them or none."""
    return [
        {
            "rulebook": rulebook.pk,
            "header": rulebook.header,
            "versions": list(_published(rulebook).values_list("pk", flat=True)),
        }
        for rulebook in rulebooks
    ]


def pinned_clause_sets(pinned: list[dict[str, Any]]) -> list[tuple[RuleBook, ClauseSet, dict]]:
    """Each pinned rule book with its clause set compiled from exactly the pinned texts (cached
    per process by text, as `clause_set` is), and its versions by (clause code, number)."""
    rulebooks = RuleBook.objects.in_bulk([book["rulebook"] for book in pinned])
    ids = [pk for book in pinned for pk in book["versions"]]
    versions = ClauseVersion.objects.select_related("clause").in_bulk(ids)
    out = []
    for book in pinned:
        chosen = [versions[pk] for pk in book["versions"]]
        compiled = _build(book["header"], [version.source for version in chosen])
        by_code = {(version.clause.code, version.number): version for version in chosen}
        out.append((rulebooks[book["rulebook"]], compiled, by_code))
    return out


def latest_compiled(clause: Clause):
    """The clause's latest published version, compiled with its rule book (None: no version)."""
    version = clause.versions.published().order_by("-number").first()
    if version is None:
        return None
    return clause_set(clause.rulebook).get(clause.code, version.number)


def auto_refusal_of(clause: Clause) -> str | None:
    """Why the clause cannot run without application, or None if it can: every published
    version still to pay (in force today or starting later) must read only facts independent of
    the enterprise, not just the latest one. A version published to start next month leaves
    the one in force until then, and that one is what assesses an entitlement today."""
    today = timezone.localdate()
    versions = (
        clause.versions.published()
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
        .order_by("number")
        .values_list("number", flat=True)
    )
    compiled = clause_set(clause.rulebook)
    for number in versions:
        refusal = auto_refusal(compiled.get(clause.code, number))
        if refusal:
            return refusal
    return None


def auto_allowed(clause: Clause) -> bool:
    """Whether an entitlement under the clause may be confirmed without application: the clause
    is set so, and each of its versions that pays today or later reads only facts independent
    of the enterprise (`auto_refusal_of`)."""
    if clause.mode != Mode.AUTO:
        return False
    return latest_compiled(clause) is not None and auto_refusal_of(clause) is None


def version_for(rulebook: RuleBook, clause_id: str, number: int) -> ClauseVersion:
    return ClauseVersion.objects.select_related("clause").get(
        clause__rulebook=rulebook, clause__code=clause_id, number=number
    )


def _error(path: str, message: str) -> RuleError:
    return RuleError(path, None, None, message, "value")
