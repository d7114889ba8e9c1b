"""Which facts a clause pays on, and whose word they rest on.

The automatic channel (免申即享) pays without anyone reading evidence, so it may only pay on
facts that neither the enterprise nor a party on its side can make up alone: facts attested by
the district, an official source or an independent third party (facts.yaml `attested_by`).
`dependent_reads` lists what a clause reads beyond that, for the Django side to refuse the
clause in automatic mode, naming each fact.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhibiao.rules import ir
from zhibiao.rules.clauses import Clause
from zhibiao.rules.schema import INDEPENDENT_ATTESTERS, FactSchema


@dataclass(frozen=True)
class Read:
    """One fact, or one field of a list fact's records, that a clause reads."""

    fact: str
    field: str | None
    attester: str
    label: str  # the Chinese name, as staff know it

    @property
    def name(self) -> str:
        return f"{self.fact}.{self.field}" if self.field else self.fact


def _expressions(clause: Clause) -> list[ir.Expr]:
    award = clause.award
    exprs = [condition.expr for condition in clause.conditions]
    exprs += [e for e in (award.amount, award.where, award.item_label, award.project) if e]
    exprs += [exclusion.when for exclusion in award.exclude]
    return exprs


def reads(clause: Clause, schema: FactSchema) -> list[Read]:
    """Every fact the clause reads, and each record field attested by another party than its
    records, with its attester."""
    found: dict[tuple[str, str | None], Read] = {}
    for fact in sorted(clause.facts):
        definition = schema.get(fact)
        if definition is not None:
            found[(fact, None)] = Read(fact, None, definition.attested_by, definition.zh)
    for expr in _expressions(clause):
        for node in ir.walk(expr.root):
            if isinstance(node, ir.Field):
                definition = schema.get(node.list_name)
                if definition is None or node.name not in definition.fields:
                    continue
                attester = definition.attester_of(node.name)
                if attester == definition.attested_by:
                    continue  # the records' own attester, already listed with the list fact
                label = f"{definition.zh}·{definition.fields[node.name].zh}"
                found[(node.list_name, node.name)] = Read(
                    node.list_name, node.name, attester, label
                )
    return sorted(found.values(), key=lambda read: read.name)


def dependent_reads(clause: Clause, schema: FactSchema) -> list[Read]:
    """What the clause reads that rests on the word of the enterprise or a host."""
    return [read for read in reads(clause, schema) if read.attester not in INDEPENDENT_ATTESTERS]
