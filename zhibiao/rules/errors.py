"""Errors of the rules engine.

Validation never stops at the first problem: the web UI shows staff every mistake in a rule at
once, each pinned to a place, so validation returns lists of :class:`RuleError` and only the
loading functions raise (:class:`RuleValidationError`, carrying the whole list).

Every message is a :class:`~zhibiao.rules.words.Phrase`: an English message id marked with
``gettext_noop`` and its parameters (names, types, code, numbers) kept apart, so that the
platform shows staff the message in their language (``measures/phrases.py``). ``message`` keeps
the English text, for logs, the API's stable ``message`` and tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zhibiao.rules.words import Phrase

#: The kinds of error, so that the UI (and tests) can tell them apart without parsing messages.
ERROR_KINDS = (
    "yaml",  # the YAML text itself does not parse
    "schema",  # the clause file's structure: a missing or unknown key, a wrong type of value
    "syntax",  # an expression does not parse
    "forbidden",  # an expression uses Python syntax that is not part of the rule language
    "limit",  # an expression is too long, too deep, or a literal is too large
    "unknown_fact",  # a name that is neither a fact, a field in scope, nor a built-in
    "unknown_function",
    "type",  # operands or results of the wrong type
    "arity",  # a function called with the wrong number or kind of arguments
    "value",  # a literal that is not one of an enumerated fact's values
    "duplicate",  # two clauses with the same id and version, or overlapping versions
    "period",  # an effective period that ends before it starts, or an example outside it
    "example",  # an example case whose facts do not fit the fact schema
    "fact",  # fact data (not rules) that does not fit the schema
)


@dataclass(frozen=True, slots=True)
class RuleError:
    """One problem, located both logically (path) and physically (line, column; 1-based).

    ``line``/``column`` point into the YAML file when a file was loaded, or into the
    expression text when a single expression was validated; they are None when the data
    came from a plain dict (for instance from the database) and has no text position.
    """

    path: str
    line: int | None
    column: int | None
    message: str
    kind: str = "schema"
    #: The message as a message id and parameters, for translation; None only for errors the
    #: platform makes with a message already in the reader's language.
    phrase: Phrase | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the English message, and the phrase in its JSON form."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "kind": self.kind,
            "phrase": self.phrase.to_dict() if self.phrase is not None else None,
        }

    def __str__(self) -> str:
        where = f"{self.line}:{self.column}" if self.line is not None else "-"
        path = f"{self.path} " if self.path else ""
        return f"{path}({where}) {self.message}"


def rule_error(
    path: str,
    line: int | None,
    column: int | None,
    message: str | Phrase,
    kind: str = "schema",
    **params: Any,
) -> RuleError:
    """A :class:`RuleError` from a message id (marked with ``gettext_noop``) and its named
    parameters, or from a phrase made earlier; ``message`` is its English text."""
    phrase = message if isinstance(message, Phrase) else Phrase(message, params)
    return RuleError(path, line, column, str(phrase), kind, phrase)


class RuleValidationError(ValueError):
    """Raised when rules are refused; ``errors`` holds every problem found."""

    def __init__(self, errors: list[RuleError]):
        self.errors = list(errors)
        shown = "; ".join(str(e) for e in self.errors[:5])
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"{len(self.errors)} rule error(s): {shown}{more}")

    def to_list(self) -> list[dict[str, Any]]:
        return [e.to_dict() for e in self.errors]


class FactError(ValueError):
    """Fact data handed to the engine does not fit the fact schema.

    Raised at the boundary (``explain``, ``Population``) rather than coerced silently: a wrong
    value would otherwise just make an enterprise look ineligible, which nobody would notice.
    """

    def __init__(self, path: str, message: str | Phrase):
        self.path = path
        #: What is wrong, as a phrase (translated for staff) and in English (``message``).
        self.phrase = message if isinstance(message, Phrase) else Phrase(message)
        self.message = str(self.phrase)
        super().__init__(f"{path}: {self.message}" if path else self.message)
