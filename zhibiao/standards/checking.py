"""The validity check (标准查新): what became of each cited standard.

For each cited edition the catalogue answers with a verdict and the chain of replacements up
to the edition in force. Links are explicit (a source said so) or inferred (a newer edition of
the same base code is in force); the chain keeps each link's kind, so the report can say which.
An undated citation means the latest edition and is judged by it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext

from zhibiao import stdcodes
from zhibiao.standards.documents import Segment
from zhibiao.standards.models import LinkKind, Replacement, Standard, Status, Verdict
from zhibiao.standards.search import prefix_match

MAX_CHAIN = 12
MAX_LOCATIONS = 50
#: How many parts of a series an undated citation's note names.
MAX_PARTS = 12
_IN_FORCE = (Status.CURRENT, Status.UPCOMING)


@dataclass
class Occurrence:
    code: stdcodes.StandardCode
    found: str
    where: dict


@dataclass
class Finding:
    """The verdict on one cited edition (canonical ``code``) and what the catalogue says."""

    code: str
    dated: bool
    verdict: str
    title: str = ""
    chain: list[dict] = field(default_factory=list)  # [{"code", "kind", "status"}]
    current: str = ""
    note: str = ""
    standard_id: int | None = None

    @property
    def replaced_by(self) -> str:
        return self.chain[0]["code"] if self.chain else ""

    @property
    def verdict_label(self) -> str:
        return str(Verdict(self.verdict).label)


def find_occurrences(
    segments: Iterable[Segment], progress: Callable[[int], None] | None = None
) -> list[Occurrence]:
    """Every citation in the segments, with its location (line numbers added within a piece)."""
    found: list[Occurrence] = []
    for index, segment in enumerate(segments):
        for citation in stdcodes.find_citations(segment.text):
            where = dict(segment.where)
            if "line" in where:
                where["line"] = where["line"] + citation.line - 1
            found.append(Occurrence(citation.code, citation.found, where))
        if progress is not None and index % 500 == 0:
            progress(index)
    return found


class _Catalogue:
    """The slice of the catalogue that a set of citations needs, read in a few queries."""

    def __init__(self, codes: Iterable[stdcodes.StandardCode]) -> None:
        bases = sorted({code.base for code in codes})
        self.by_edition: dict[str, Standard] = {}
        self.by_base: dict[str, list[Standard]] = {}
        self.by_id: dict[int, Standard] = {}
        fields = ("code", "edition", "base", "year", "status", "title")
        for start in range(0, len(bases), 500):
            for standard in Standard.objects.filter(base__in=bases[start : start + 500]).only(
                *fields
            ):
                self._add(standard)
        self.links: dict[int, list[Replacement]] = {}
        frontier = set(self.by_id)
        for _ in range(MAX_CHAIN):
            if not frontier:
                break
            found = list(
                Replacement.objects.filter(old_id__in=sorted(frontier))
                .select_related("new")
                .only("old_id", "new_id", "kind", *(f"new__{f}" for f in fields))
            )
            frontier = set()
            for link in found:
                self.links.setdefault(link.old_id, []).append(link)
                if link.new_id not in self.by_id:
                    self._add(link.new)
                    frontier.add(link.new_id)

    def parts_of(self, base: str) -> list[Standard]:
        """The parts in force of a series (``GB/T 16886.1``… for ``GB/T 16886``), newest
        edition of each part, read when an undated citation names the series only."""
        newest: dict[str, Standard] = {}
        # A prefix each database answers from the index on `base` (SQLite's LIKE would read
        # the whole catalogue for each series cited: 100,000 rows, tens of milliseconds each).
        rows = (
            Standard.objects.filter(prefix_match("base", base + "."))
            .filter(status__in=_IN_FORCE)
            .only("code", "base", "year", "status", "title")
        )
        for standard in rows[:500]:
            held = newest.get(standard.base)
            if held is None or (standard.year or 0) > (held.year or 0):
                newest[standard.base] = standard
        return sorted(newest.values(), key=lambda s: s.key if s.key else s.code)

    def _add(self, standard: Standard) -> None:
        self.by_id[standard.pk] = standard
        self.by_edition.setdefault(standard.edition, standard)
        self.by_base.setdefault(standard.base, []).append(standard)

    def chain(self, start: Standard) -> list[dict]:
        """Follow replacements from ``start`` until an edition in force (explicit links first,
        then the one whose target is in force, then the newest)."""
        chain: list[dict] = []
        seen = {start.pk}
        current = start
        while len(chain) < MAX_CHAIN:
            links = self.links.get(current.pk, [])
            if not links:
                break
            links = sorted(
                links,
                key=lambda link: (
                    link.kind != LinkKind.EXPLICIT,
                    link.new.status not in _IN_FORCE,
                    -(link.new.year or 0),
                ),
            )
            link = links[0]
            if link.new_id in seen:
                break
            seen.add(link.new_id)
            current = link.new
            chain.append({"code": current.code, "kind": link.kind, "status": current.status})
            if current.status == Status.CURRENT:
                break
        return chain

    def newer_in_force(self, code: stdcodes.StandardCode) -> list[Standard]:
        editions = [
            s for s in self.by_base.get(code.base, []) if s.year and s.year > (code.year or 0)
        ]
        if not any(s.status == Status.CURRENT for s in editions):
            return []
        return sorted(editions, key=lambda s: s.year)


def _end(chain: list[dict]) -> str:
    return chain[-1]["code"] if chain and chain[-1]["status"] == Status.CURRENT else ""


def _judge_entry(catalogue: _Catalogue, code: str, entry: Standard, dated: bool) -> Finding:
    chain = catalogue.chain(entry)
    finding = Finding(code, dated, Verdict.UNKNOWN, entry.title, chain, standard_id=entry.pk)
    if entry.status == Status.CURRENT:
        if _end(chain):
            finding.verdict = Verdict.SUPERSEDED
            finding.current = _end(chain)
            finding.note = gettext(
                "The catalogue still lists it as in force, but a newer edition replaces it."
            )
        else:
            finding.verdict, finding.current, finding.chain = Verdict.CURRENT, entry.code, []
    elif entry.status == Status.UPCOMING:
        finding.verdict, finding.current = Verdict.UPCOMING, _end(chain)
    elif chain:
        finding.verdict, finding.current = Verdict.SUPERSEDED, _end(chain)
    else:
        finding.verdict = (
            Verdict.SUPERSEDED if entry.status == Status.SUPERSEDED else Verdict.WITHDRAWN
        )
    return finding


def judge(codes: Iterable[stdcodes.StandardCode]) -> dict[str, Finding]:
    """A finding for each distinct cited edition (by ``code.edition``)."""
    codes = list({code.edition: code for code in codes}.values())
    catalogue = _Catalogue(codes)
    findings: dict[str, Finding] = {}
    for code in codes:
        key = code.edition
        if not code.is_dated:
            findings[key] = _judge_undated(catalogue, code)
            continue
        entry = catalogue.by_edition.get(key)
        if entry is not None:
            findings[key] = _judge_entry(catalogue, key, entry, True)
            continue
        newer = catalogue.newer_in_force(code)
        if newer:
            chain = [{"code": newer[0].code, "kind": LinkKind.INFERRED, "status": newer[0].status}]
            if newer[0].status != Status.CURRENT:
                chain += catalogue.chain(newer[0])
            findings[key] = Finding(
                key,
                True,
                Verdict.INFERRED,
                newer[0].title,
                chain,
                _end(chain),
                gettext(
                    "This edition is not in the catalogue, but the catalogue holds %(newer)s, a "
                    "later edition of %(base)s: likely superseded by it (inferred from the year, "
                    "not stated by an announcement)."
                )
                % {"newer": newer[0].code, "base": code.base},
            )
            continue
        findings[key] = Finding(key, True, Verdict.UNKNOWN)
    return findings


def _judge_undated(catalogue: _Catalogue, code: stdcodes.StandardCode) -> Finding:
    editions = catalogue.by_base.get(code.base, [])
    key = code.edition
    if not editions:
        parts = catalogue.parts_of(code.base)
        if parts:
            # A series cited as a whole (GB/T 16886): say which of its parts the catalogue holds.
            shown = "、".join(s.code for s in parts[:MAX_PARTS])
            more = len(parts) - MAX_PARTS
            return Finding(
                key,
                False,
                Verdict.UNKNOWN,
                note=(
                    gettext("Undated series: the catalogue holds %(count)s parts: %(parts)s")
                    % {"count": len(parts), "parts": shown}
                )
                + (f" … (+{more})" if more > 0 else ""),
            )
        return Finding(
            key,
            False,
            Verdict.UNKNOWN,
            note=gettext("Undated: means the latest edition, which the catalogue does not hold."),
        )
    in_force = [s for s in editions if s.status == Status.CURRENT]
    pool = in_force or [s for s in editions if s.status == Status.UPCOMING] or editions
    latest = max(pool, key=lambda s: (s.year or 0, s.pk))
    finding = _judge_entry(catalogue, key, latest, False)
    finding.note = gettext("Undated: means the latest edition, %(code)s.") % {"code": latest.code}
    if finding.verdict == Verdict.CURRENT:
        finding.current = latest.code
    return finding


def summarise(findings: Iterable[Finding], occurrences: int) -> dict:
    """How many distinct cited editions are in each state, and how many citations in all."""
    counts = dict.fromkeys(Verdict.values, 0)
    undated = 0
    total = 0
    for finding in findings:
        counts[finding.verdict] += 1
        undated += not finding.dated
        total += 1
    return {"codes": total, "citations": occurrences, "undated": undated, **counts}


def group(occurrences: list[Occurrence]) -> dict[str, dict]:
    """Occurrences by cited edition, in order of first appearance."""
    grouped: dict[str, dict] = {}
    for occurrence in occurrences:
        key = occurrence.code.edition
        entry = grouped.setdefault(
            key, {"code": occurrence.code, "found": [], "locations": [], "count": 0}
        )
        entry["count"] += 1
        if occurrence.found not in entry["found"] and len(entry["found"]) < 5:
            entry["found"].append(occurrence.found)
        if len(entry["locations"]) < MAX_LOCATIONS:
            entry["locations"].append(occurrence.where)
    return grouped
