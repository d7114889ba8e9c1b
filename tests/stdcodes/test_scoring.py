"""Multiset precision/recall."""

from __future__ import annotations

import pytest

from zhibiao.stdcodes.scoring import Score, diff, score


def test_perfect() -> None:
    assert score(["GB 1-2000", "GB 1-2000"], ["GB 1-2000", "GB 1-2000"]) == Score(1.0, 1.0, 2, 0, 0)


def test_repeats_count() -> None:
    result = score(["GB 1-2000"], ["GB 1-2000", "GB 1-2000"])
    assert (result.tp, result.fp, result.fn) == (1, 0, 1)
    assert result.precision == 1.0
    assert result.recall == 0.5


def test_false_positive_and_negative() -> None:
    result = score(["A", "B", "C"], ["B", "C", "D", "E"])
    assert (result.tp, result.fp, result.fn) == (2, 1, 2)
    assert result.precision == pytest.approx(2 / 3)
    assert result.recall == pytest.approx(0.5)
    assert result.f1 == pytest.approx(4 / 7)
    assert diff(["A", "B", "C"], ["B", "C", "D", "E"]) == (["A"], ["D", "E"])


def test_order_is_ignored() -> None:
    assert score(["B", "A"], ["A", "B"]).tp == 2


def test_empty_sides() -> None:
    assert score([], []) == Score(1.0, 1.0, 0, 0, 0)
    assert score([], ["A"]) == Score(1.0, 0.0, 0, 0, 1)
    assert score(["A"], []) == Score(0.0, 1.0, 0, 1, 0)
    assert score([], []).f1 == 1.0
    assert Score(0.0, 0.0, 0, 1, 1).f1 == 0.0


def test_scores_add_up_by_counts() -> None:
    total = score(["A"], ["A"]) + score(["B"], ["C"])
    assert (total.tp, total.fp, total.fn) == (1, 1, 1)
    assert total.precision == 0.5
