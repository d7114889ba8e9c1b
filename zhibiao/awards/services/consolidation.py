"""The experts' scores brought together: per item, the spread that calls for a consensus, the
entry's total and the cycle's ranking."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from zhibiao.awards.criteria import ITEM_BY_CODE, ITEMS
from zhibiao.awards.models import Assignment, Consensus, Cycle, Entry, EntryStatus, Score, SiteVisit

# --- Consolidation ----------------------------------------------------------------------------


def _quantise(value: Decimal, places: str = "0.1") -> Decimal:
    """Totals are shown to a tenth of a point, items to a hundredth; a total is rounded once,
    from the items' exact points, so that rounding never adds up."""
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass
class ItemResult:
    """One item of one entry as consolidated: the experts' percents, their mean, the spread,
    the consensus if one was recorded, the site visit's adjustment, and the points."""

    code: str
    points: int
    percents: list[int]
    mean: Decimal | None
    spread: int
    flagged: bool
    agreed: int | None = None
    adjusted: int | None = None

    @property
    def review_percent(self) -> Decimal | None:
        """The document review's percent: the consensus if any, else the experts' mean."""
        if self.agreed is not None:
            return Decimal(self.agreed)
        return self.mean

    @property
    def final_percent(self) -> Decimal | None:
        if self.adjusted is not None:
            return Decimal(self.adjusted)
        return self.review_percent

    @property
    def needs_consensus(self) -> bool:
        return self.flagged and self.agreed is None

    @property
    def review_points(self) -> Decimal | None:
        percent = self.review_percent
        return None if percent is None else _quantise(percent * self.points / 100, "0.01")

    @property
    def final_points(self) -> Decimal | None:
        percent = self.final_percent
        return None if percent is None else _quantise(percent * self.points / 100, "0.01")

    @property
    def name(self) -> str:
        return str(ITEM_BY_CODE[self.code].name)


@dataclass
class Consolidated:
    """An entry's consolidated scores: per item, totals, what is missing or flagged."""

    items: list[ItemResult]
    experts: int
    complete: bool  # every assigned expert scored every item

    @property
    def flagged(self) -> list[ItemResult]:
        return [item for item in self.items if item.flagged]

    @property
    def pending_consensus(self) -> list[ItemResult]:
        return [item for item in self.items if item.needs_consensus]

    @property
    def review_total(self) -> Decimal | None:
        if not self.complete:
            return None
        return _quantise(sum((item.review_points or Decimal(0) for item in self.items), Decimal(0)))

    @property
    def final_total(self) -> Decimal | None:
        if not self.complete:
            return None
        return _quantise(sum((item.final_points or Decimal(0) for item in self.items), Decimal(0)))

    def by_category(self) -> dict[str, list[ItemResult]]:
        grouped: dict[str, list[ItemResult]] = defaultdict(list)
        for item in self.items:
            grouped[ITEM_BY_CODE[item.code].category].append(item)
        return grouped


def threshold() -> int:
    return settings.ZHIBIAO_AWARD_SPREAD_THRESHOLD


def min_experts() -> int:
    return settings.ZHIBIAO_AWARD_MIN_EXPERTS


def _consolidate(
    experts: int,
    percents: Mapping[str, list[int]],
    agreed: Mapping[str, int],
    adjusted: Mapping[str, int],
) -> Consolidated:
    """Pure arithmetic over one entry's rows (shared by one entry and a whole ranking)."""
    limit = threshold()
    items, complete = [], experts > 0
    for item in ITEMS:
        scores = sorted(percents.get(item.code, []))
        if len(scores) < experts or not scores:
            complete = False
        mean = (
            Decimal(statistics.fmean(scores)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            if scores
            else None
        )
        spread = scores[-1] - scores[0] if scores else 0
        items.append(
            ItemResult(
                item.code,
                item.points,
                scores,
                mean,
                spread,
                flagged=spread > limit,
                agreed=agreed.get(item.code),
                adjusted=adjusted.get(item.code),
            )
        )
    return Consolidated(items, experts, complete)


def consolidate(entry: Entry) -> Consolidated:
    """Item scores (mean of the experts' percents × the item's points), the total, the spread
    between experts flagged above the threshold, with the consensus and the site visit's
    adjustments applied. Three queries, whatever the number of experts."""
    experts = entry.assignments.count()
    percents: dict[str, list[int]] = defaultdict(list)
    for item, percent in Score.objects.filter(assignment__entry=entry).values_list(
        "item", "percent"
    ):
        percents[item].append(percent)
    agreed = dict(entry.consensus.values_list("item", "agreed_percent"))
    visit = SiteVisit.objects.filter(entry=entry).first()
    return _consolidate(experts, percents, agreed, visit.adjusted if visit else {})


def consolidate_cycle(cycle: Cycle, states: Iterable[str] | None = None) -> dict[int, Consolidated]:
    """Every entry of the cycle in `states` consolidated, in four queries in all."""
    entries = cycle.entries.all()
    if states is not None:
        entries = entries.filter(status__in=list(states))
    ids = list(entries.values_list("pk", flat=True))
    experts: dict[int, int] = defaultdict(int)
    for entry_id in Assignment.objects.filter(entry_id__in=ids).values_list("entry_id", flat=True):
        experts[entry_id] += 1
    percents: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for entry_id, item, percent in Score.objects.filter(assignment__entry_id__in=ids).values_list(
        "assignment__entry_id", "item", "percent"
    ):
        percents[entry_id][item].append(percent)
    agreed: dict[int, dict[str, int]] = defaultdict(dict)
    for entry_id, item, percent in Consensus.objects.filter(entry_id__in=ids).values_list(
        "entry_id", "item", "agreed_percent"
    ):
        agreed[entry_id][item] = percent
    adjusted = dict(SiteVisit.objects.filter(entry_id__in=ids).values_list("entry_id", "adjusted"))
    return {
        entry_id: _consolidate(
            experts[entry_id], percents[entry_id], agreed[entry_id], adjusted.get(entry_id) or {}
        )
        for entry_id in ids
    }


#: Entries that went through the document review, whatever came after.
RANKED_STATES = (
    EntryStatus.REVIEWED,
    EntryStatus.SHORTLISTED,
    EntryStatus.DECIDED,
    EntryStatus.NOTICED,
    EntryStatus.AWARDED,
    EntryStatus.NOT_AWARDED,
)


def ranking(cycle: Cycle, *, final: bool = False) -> list[tuple[Entry, Consolidated]]:
    """The cycle's reviewed entries, best first, by the document review's total (or the final
    total, site visits included); ties by the results category, then by entry."""
    consolidated = consolidate_cycle(cycle, RANKED_STATES)
    entries = Entry.objects.filter(pk__in=list(consolidated)).select_related("organisation")

    def key(entry: Entry):
        result = consolidated[entry.pk]
        total = (result.final_total if final else result.review_total) or Decimal(0)
        results = sum(
            (item.final_points or Decimal(0)) for item in result.items if item.code >= "4.7"
        )
        return (-total, -results, entry.pk)

    ordered = sorted(entries, key=key)
    return [(entry, consolidated[entry.pk]) for entry in ordered]
