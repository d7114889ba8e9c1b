"""Which channel a clause may pay through: without application only on independent facts.

免申即享 pays an enterprise on its records alone, with no evidence read and no expert review, so
a clause may run that way only if every fact it reads rests on the word of the district, an
official source or an independent party (zhibiao/rules/facts.yaml `attested_by`). A clause
reading a fact the enterprise or a host can make up alone is refused in that mode, naming the
fact; it runs on the quick channel (快申快享), with evidence and review.
"""

from __future__ import annotations

from django.utils.translation import gettext

from zhibiao.core.attestation import Attester
from zhibiao.measures import facts
from zhibiao.rules import Clause as CompiledClause
from zhibiao.rules.trust import Read, dependent_reads


def describe(read: Read) -> str:
    """“实训基地举办的课程和现场观摩 (courses), attested by the event's host”."""
    return gettext("%(label)s (%(name)s), attested by %(who)s") % {
        "label": read.label,
        "name": read.name,
        "who": Attester(read.attester).label,
    }


def auto_refusal(compiled: CompiledClause) -> str | None:
    """Why this clause version cannot run without application, or None if it can."""
    dependent = dependent_reads(compiled, facts.schema())
    if not dependent:
        return None
    return gettext(
        "“%(clause)s” cannot be granted without application: it reads %(facts)s, which the "
        "enterprise or a party on its side can record alone. Let it run as a quick "
        "application, with evidence and expert review."
    ) % {"clause": compiled.id, "facts": "；".join(describe(read) for read in dependent)}
