"""Precision and recall of extracted codes against hand-made labels.

Matching is on multisets of canonical codes, not on positions: a label file lists what a
reader finds in a document (repeats included), and a citation found twice must be predicted
twice. Order is ignored, so a label file need not agree with the extractor about offsets.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Score:
    """Counts and ratios of one comparison; empty sides count as perfect, not as zero,
    so that a document with no citations and no predictions does not drag a total down."""

    precision: float
    recall: float
    tp: int
    fp: int
    fn: int

    @property
    def f1(self) -> float:
        """Harmonic mean, for a single number in a benchmark table."""
        total = self.precision + self.recall
        return 0.0 if total == 0 else 2 * self.precision * self.recall / total

    def __add__(self, other: Score) -> Score:
        """Pool counts (micro-average) so that a corpus score weighs every citation equally."""
        return _from_counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


def _from_counts(tp: int, fp: int, fn: int) -> Score:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return Score(precision, recall, tp, fp, fn)


def score(predicted: Iterable[str], expected: Iterable[str]) -> Score:
    """Compare predicted canonical codes with the expected ones, as multisets."""
    got, want = Counter(predicted), Counter(expected)
    tp = sum((got & want).values())
    return _from_counts(tp, sum(got.values()) - tp, sum(want.values()) - tp)


def diff(predicted: Iterable[str], expected: Iterable[str]) -> tuple[list[str], list[str]]:
    """The false positives and the false negatives, for a readable test failure."""
    got, want = Counter(predicted), Counter(expected)
    return sorted((got - want).elements()), sorted((want - got).elements())
