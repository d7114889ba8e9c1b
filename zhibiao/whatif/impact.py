"""The impact of a scenario: the whole population screened twice, under the clauses in force and
under the scenario's drafts, and the two results set side by side.

Both screenings are the measures' own batch screening (zhibiao.rules.evaluate_population over
facts.population, as a screening job runs it), on one reading of the district's verified
records, so the two sides differ only by the clauses. Everything here reads; nothing is stored
but by the caller (a scenario's figures when it is saved).

A drafted clause is screened as if it were in force on the day of the impact: a draft's next
version starts today or later, and the question is what it would change, not when.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.applications.models import Application
from zhibiao.directory.models import Organisation, Ownership, Size, Town, industry_names
from zhibiao.measures import facts
from zhibiao.measures.models import ClauseVersion, RuleBook
from zhibiao.measures.phrases import say, say_condition, yuan
from zhibiao.measures.services import dump_yaml, parse_source
from zhibiao.rules import (
    BatchResult,
    ClauseSet,
    Explanation,
    evaluate_population,
    explain,
    fixed,
)
from zhibiao.whatif.models import Budget, Scenario

#: The breakdowns of the impact page, the API and the saved figures: name → label.
DIMENSIONS = ("town", "section", "size", "ownership")

#: How many rows of each list a saved scenario keeps in its figures (the lists themselves are
#: recomputed, not stored: the records move on after a scenario is saved).
KEPT_ROWS = 20


def in_force_sources(rulebook: RuleBook, as_of: datetime.date) -> list[tuple[str, str]]:
    """(clause code, rule text) of each clause's published version in force on the day, in
    the rule book's order (the tie-break order of the caps)."""
    versions = (
        ClauseVersion.objects.published()
        .filter(clause__rulebook=rulebook, effective_from__lte=as_of)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=as_of))
        .order_by("clause__position", "clause__code", "-number")
        .values_list("clause__code", "source")
    )
    seen: dict[str, str] = {}
    for code, source in versions:
        seen.setdefault(code, source)
    return list(seen.items())


def draft_sources(
    current: list[tuple[str, str]], drafts, as_of: datetime.date
) -> list[tuple[str, str]]:
    """The clauses in force with the scenario's drafts applied: a drafted clause's text in
    place of its version in force (starting no later than `as_of`), a removed clause left
    out, a new clause added at the end."""
    by_code = {draft.code: draft for draft in drafts}
    out = []
    for code, source in current:
        draft = by_code.pop(code, None)
        if draft is None:
            out.append((code, source))
        elif not draft.removed:
            out.append((code, _as_in_force(draft.text, as_of)))
    for code, draft in sorted(by_code.items()):
        if not draft.removed:
            out.append((code, _as_in_force(draft.text, as_of)))
    return out


@functools.lru_cache(maxsize=64)
def _as_in_force(text: str, as_of: datetime.date) -> str:
    data = parse_source(text)
    if not isinstance(data, dict) or not data:
        return text
    start = data.get("effective_from")
    if isinstance(start, datetime.date) and start > as_of:
        data["effective_from"] = as_of
    end = data.get("effective_to")
    if isinstance(end, datetime.date) and end < as_of:
        data["effective_to"] = None
    return dump_yaml(data)


@functools.lru_cache(maxsize=16)
def compile_sources(header: str, sources: tuple[str, ...], uncapped: bool = False) -> ClauseSet:
    """Clause texts compiled with the rule book's header, without their examples (screening
    needs none). `uncapped` drops the caps across clauses (keeping the record of awards
    received), to show what the caps and exclusivity cut."""
    data = parse_source(header)
    data.pop("example_base", None)
    data.pop("example_as_of", None)
    clauses = []
    for source in sources:
        clause = parse_source(source)
        clause.pop("examples", None)
        clauses.append(clause)
    data["clauses"] = clauses
    compiled = ClauseSet.from_dict(data, facts.schema())
    if uncapped:
        return compiled.uncapped()
    return compiled


@dataclass
class Side:
    """One screening of the population: under the clauses in force ("now") or the drafts."""

    clause_set: ClauseSet
    result: BatchResult
    uncapped: BatchResult | None = None

    @functools.cached_property
    def per_enterprise(self) -> np.ndarray:
        """Each enterprise's total (fen) under this side's clauses, after caps."""
        return self.result.amount_fen.sum(axis=1)

    def column_of(self, code: str) -> int | None:
        for j, clause in enumerate(self.result.clauses):
            if clause.id == code:
                return j
        return None


@dataclass
class Impact:
    """The two screenings of one population and what differs between them."""

    as_of: datetime.date
    rulebook: RuleBook
    ids: list[int]
    population: Any
    now: Side
    draft: Side
    attributes: dict[str, np.ndarray]
    spent: Decimal = Decimal(0)
    budget: Decimal | None = None
    clause_budgets: dict[str, Decimal] = field(default_factory=dict)

    # -- who changes ----------------------------------------------------------------------

    @functools.cached_property
    def difference(self) -> np.ndarray:
        return self.draft.per_enterprise - self.now.per_enterprise

    @functools.cached_property
    def changed_any(self) -> np.ndarray:
        """Enterprises whose amount under some clause differs (their total may not)."""
        codes = self.codes()
        changed = np.zeros(len(self.ids), dtype=bool)
        for code in codes:
            changed |= self._clause_amounts(self.now, code) != self._clause_amounts(
                self.draft, code
            )
        return changed

    def _clause_amounts(self, side: Side, code: str) -> np.ndarray:
        column = side.column_of(code)
        if column is None:
            return np.zeros(len(self.ids), dtype=np.int64)
        return side.result.amount_fen[:, column]

    def rows(self, kind: str) -> np.ndarray:
        """Row numbers of the gainers, losers or changed (every enterprise whose amount under
        some clause differs), the largest difference first."""
        if kind == "gainers":
            mask = self.difference > 0
        elif kind == "losers":
            mask = self.difference < 0
        else:
            mask = self.changed_any
        rows = np.nonzero(mask)[0]
        order = np.lexsort((rows, -np.abs(self.difference[rows])))
        return rows[order]

    def codes(self) -> list[str]:
        """Every clause of either side, in force now first (the rule book's order), then the
        new ones."""
        codes = [clause.id for clause in self.now.result.clauses]
        codes += [c.id for c in self.draft.result.clauses if c.id not in codes]
        return codes

    # -- figures -------------------------------------------------------------------------

    @functools.cached_property
    def _clause_rows(self) -> list[dict[str, Any]]:
        return self.clause_rows()

    def figures(self) -> dict[str, Any]:
        """Everything the impact page, the API and a saved scenario show, as JSON."""
        now_total = _yuan(self.now.per_enterprise.sum())
        draft_total = _yuan(self.draft.per_enterprise.sum())
        return {
            "as_of": self.as_of.isoformat(),
            "enterprises": len(self.ids),
            "now": self._side_figures(self.now),
            "draft": self._side_figures(self.draft),
            "difference": str(draft_total - now_total),
            "gainers": int((self.difference > 0).sum()),
            "losers": int((self.difference < 0).sum()),
            "changed": int(self.changed_any.sum()),
            "clauses": self._clause_rows,
            "by": {dimension: self.breakdown(dimension) for dimension in DIMENSIONS},
            "budget": self.budget_figures(),
        }

    def _side_figures(self, side: Side) -> dict[str, Any]:
        total = _yuan(side.per_enterprise.sum())
        out: dict[str, Any] = {
            "entitled": int(side.result.entitled.any(axis=1).sum()),
            "total": str(total),
            "near_miss": int(side.result.near_miss.any(axis=1).sum()),
            "cut_to_nothing": int((side.result.eligible & ~side.result.entitled).sum()),
        }
        if side.uncapped is not None:
            before = _yuan(side.uncapped.amount_fen.sum())
            out["before_caps"] = str(before)
            out["cut_by_caps"] = str(before - total)
        return out

    def clause_rows(self) -> list[dict[str, Any]]:
        rows = []
        for code in self.codes():
            row: dict[str, Any] = {"code": code}
            for name, side in (("now", self.now), ("draft", self.draft)):
                j = side.column_of(code)
                if j is None:
                    row[name] = None
                    continue
                clause = side.result.clauses[j]
                row["title"] = clause.title
                row[name] = {
                    "version": clause.version,
                    "entitled": int(side.result.entitled[:, j].sum()),
                    "amount": str(_yuan(side.result.amount_fen[:, j].sum())),
                    "near_miss": int(side.result.near_miss[:, j].sum()),
                    "cut_to_nothing": int(
                        (side.result.eligible[:, j] & ~side.result.entitled[:, j]).sum()
                    ),
                }
            budget = self.clause_budgets.get(code)
            row["budget"] = None if budget is None else str(budget)
            row["over_budget"] = bool(
                budget is not None and row["draft"] and Decimal(row["draft"]["amount"]) > budget
            )
            rows.append(row)
        return rows

    def breakdown(self, dimension: str) -> list[dict[str, Any]]:
        """Per value of a dimension (town, industry section, size, ownership): entitled
        enterprises and totals now and with the draft, gainers and losers."""
        inverse = self.attributes[dimension]
        values = self.attributes[f"{dimension}_keys"]
        count = len(values)

        def sums(weights: np.ndarray) -> np.ndarray:
            # float64 holds every total of fen exactly (below 2**53 fen, 90 trillion yuan)
            counted = np.bincount(inverse, weights=weights.astype(np.float64), minlength=count)
            return np.rint(counted).astype(np.int64)

        now_total = sums(self.now.per_enterprise)
        draft_total = sums(self.draft.per_enterprise)
        now_entitled = sums(self.now.result.entitled.any(axis=1))
        draft_entitled = sums(self.draft.result.entitled.any(axis=1))
        gainers = sums(self.difference > 0)
        losers = sums(self.difference < 0)
        labels = _labels(dimension)
        rows = [
            {
                "key": str(value),
                "label": labels(str(value)),
                "now": str(fixed.money(int(now_total[i]))),
                "draft": str(fixed.money(int(draft_total[i]))),
                "entitled_now": int(now_entitled[i]),
                "entitled_draft": int(draft_entitled[i]),
                "gainers": int(gainers[i]),
                "losers": int(losers[i]),
            }
            for i, value in enumerate(values)
        ]
        return sorted(rows, key=lambda r: (-Decimal(r["draft"]), -Decimal(r["now"]), r["key"]))

    def budget_figures(self) -> dict[str, Any]:
        now_total = _yuan(self.now.per_enterprise.sum())
        draft_total = _yuan(self.draft.per_enterprise.sum())
        return {
            "year": self.as_of.year,
            "budget": None if self.budget is None else str(self.budget),
            "spent": str(self.spent),
            "now": str(now_total),
            "draft": str(draft_total),
            "now_over": self.budget is not None and now_total > self.budget,
            "draft_over": self.budget is not None and draft_total > self.budget,
            "clauses_over": [row["code"] for row in self.clause_rows() if row["over_budget"]],
        }

    # -- the lists -----------------------------------------------------------------------

    def listing(
        self, kind: str, *, offset: int = 0, limit: int | None = 50
    ) -> tuple[int, list[dict[str, Any]]]:
        """(how many, the rows from `offset`): each enterprise with its old and new amount
        and the reason in plain words."""
        rows = self.rows(kind)
        chosen = rows[offset : None if limit is None else offset + limit]
        ids = [self.ids[int(row)] for row in chosen]
        names = (
            dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))
            if len(ids) <= 5000
            else dict(Organisation.objects.values_list("pk", "name"))
        )
        towns = _labels("town")
        town_keys = self.attributes["town_keys"]
        out = []
        for row in chosen:
            row = int(row)
            old = fixed.money(int(self.now.per_enterprise[row]))
            new = fixed.money(int(self.draft.per_enterprise[row]))
            out.append(
                {
                    "organisation": self.ids[row],
                    "name": names.get(self.ids[row], ""),
                    "town": towns(str(town_keys[self.attributes["town"][row]])),
                    "old": str(old),
                    "new": str(new),
                    "difference": str(new - old),
                    "reason": self.reason(row),
                }
            )
        return len(rows), out

    def explanations(self, row: int) -> tuple[Explanation, Explanation]:
        one = self.population.facts_of(row)
        return (
            explain(self.now.clause_set, one, self.as_of),
            explain(self.draft.clause_set, one, self.as_of),
        )

    def reason(self, row: int) -> str:
        """Why an enterprise's amounts differ, clause by clause, in plain words: the
        conditions it no longer meets (with its values), the cuts of the caps, the amount."""
        old, new = self.explanations(row)
        parts = []
        for code in self.codes():
            before = _result(old, code)
            after = _result(new, code)
            old_amount = before.amount if before else Decimal(0)
            new_amount = after.amount if after else Decimal(0)
            if old_amount == new_amount:
                continue
            parts.append(_clause_reason(before, after))
        return "；".join(parts)


def _result(explanation: Explanation, code: str):
    try:
        return explanation[code]
    except KeyError:
        return None


def _clause_reason(before, after) -> str:
    title = (after or before).title
    if after is None:
        return gettext("“%(title)s” is removed (was %(old)s)") % {
            "title": title,
            "old": yuan(before.amount),
        }
    unmet = [say_condition(c.phrase, c.label) for c in after.conditions if not c.met]
    if unmet:
        return gettext("“%(title)s”: no longer meets %(conditions)s") % {
            "title": title,
            "conditions": "、".join(unmet),
        }
    cuts = [say(a.phrase) if a.phrase is not None else a.reason for a in after.adjustments]
    said = gettext("“%(title)s”: %(old)s → %(new)s") % {
        "title": title,
        "old": yuan(before.amount if before else 0),
        "new": yuan(after.amount),
    }
    if cuts:
        said += gettext(" (%(cuts)s)") % {"cuts": "、".join(cuts)}
    return said


def _yuan(fen: Any) -> Decimal:
    return fixed.money(int(fen))


def _labels(dimension: str):
    """The words for a breakdown's keys: a town's name, an industry section's name …"""
    unknown = gettext("Unknown")
    if dimension == "section":
        names = industry_names()
        return lambda key: f"{key} {names.get(key, '')}".strip() if key else unknown
    choices = {"town": Town, "size": Size, "ownership": Ownership}[dimension]
    table = {value: str(label) for value, label in choices.choices}
    return lambda key: table.get(key, key) if key else unknown


#: The facts the breakdowns read from the population (as read for the rules).
ATTRIBUTE_FACTS = {"town": "town", "section": "industry", "size": "size", "ownership": "ownership"}


def attributes(population: Any) -> dict[str, np.ndarray]:
    """Town, industry section, size and ownership of the screened enterprises, taken from the
    population's own columns (one reading of the records serves the rules and the breakdowns):
    each as an array of small integer codes and, under "<name>_keys", the value of each code
    ("" for none)."""
    strings = population.strings.strings
    out: dict[str, np.ndarray] = {}
    for name, fact in ATTRIBUTE_FACTS.items():
        column = population.scalars[fact]
        present = np.unique(column)
        values = [strings[int(code)] for code in present]
        if name == "section":
            values = [value[:1] for value in values]  # "C2411" → section "C"
        keys: dict[str, int] = {}
        index = [keys.setdefault(value, len(keys)) for value in values]
        lut = np.zeros(len(strings) + 1, dtype=np.int64)
        lut[present] = index
        out[name] = lut[column]
        out[f"{name}_keys"] = np.array(list(keys), dtype=object)
    return out


def spent_this_year(rulebook: RuleBook, year: int) -> Decimal:
    """Approved and disbursed applications under the rule book's clauses this year."""
    total = Application.objects.filter(
        clause__rulebook=rulebook, year=year, status__in=("approved", "disbursed")
    ).aggregate(total=Sum(Coalesce("amount_approved", "amount_assessed")))["total"]
    return total or Decimal(0)


def screen_twice(
    scenario: Scenario,
    as_of: datetime.date | None = None,
    *,
    caps_effect: bool = True,
) -> Impact:
    """The whole population under the clauses in force and under the scenario's drafts."""
    as_of = as_of or timezone.localdate()
    rulebook = scenario.rulebook
    current = in_force_sources(rulebook, as_of)
    drafted = draft_sources(current, list(scenario.drafts.all()), as_of)
    now_set = compile_sources(rulebook.header, tuple(s for _c, s in current))
    draft_set = compile_sources(rulebook.header, tuple(s for _c, s in drafted))
    needed = facts.needed_by(now_set) | facts.needed_by(draft_set) | set(ATTRIBUTE_FACTS.values())
    population, ids = facts.population(as_of, needed=needed)
    now = Side(now_set, evaluate_population(now_set, population, as_of))
    draft = Side(draft_set, evaluate_population(draft_set, population, as_of))
    if caps_effect:
        for side, sources in ((now, current), (draft, drafted)):
            uncapped = compile_sources(
                rulebook.header, tuple(s for _c, s in sources), uncapped=True
            )
            side.uncapped = evaluate_population(uncapped, population, as_of)
    budgets = {
        budget.clause.code if budget.clause_id else "": budget.amount
        for budget in Budget.objects.filter(rulebook=rulebook, year=as_of.year).select_related(
            "clause"
        )
    }
    return Impact(
        as_of=as_of,
        rulebook=rulebook,
        ids=list(ids),
        population=population,
        now=now,
        draft=draft,
        attributes=attributes(population),
        spent=spent_this_year(rulebook, as_of.year),
        budget=budgets.pop("", None),
        clause_budgets=budgets,
    )
