"""The criteria the award is scored against: GB/T 19580-2012 卓越绩效评价准则, its seven
categories and 23 items with their points (1,000 in all), and the scoring bands of GB/Z 19579.

Data, not models: the standard fixes them, and every entry, score and report reads them by the
item's number ("4.1.2"), so a cycle's scores stay readable whatever is added later.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Category:
    """One of the seven categories (4.1 领导 … 4.7 结果)."""

    code: str
    name: object
    points: int
    results: bool = False  # judged by levels, trends, comparisons, integration

    @property
    def items(self) -> list[Item]:
        return [item for item in ITEMS if item.category == self.code]


@dataclass(frozen=True)
class Item:
    """One scored item of a category, with its points."""

    code: str
    category: str
    name: object
    points: int

    @property
    def category_obj(self) -> Category:
        return CATEGORY_BY_CODE[self.category]

    @property
    def results(self) -> bool:
        return self.category_obj.results


CATEGORIES: tuple[Category, ...] = (
    Category("4.1", _("Leadership"), 110),
    Category("4.2", _("Strategy"), 90),
    Category("4.3", _("Customers and markets"), 90),
    Category("4.4", _("Resources"), 130),
    Category("4.5", _("Process management"), 100),
    Category("4.6", _("Measurement, analysis and improvement"), 80),
    Category("4.7", _("Results"), 400, results=True),
)
CATEGORY_BY_CODE = {category.code: category for category in CATEGORIES}

ITEMS: tuple[Item, ...] = (
    Item("4.1.2", "4.1", _("Role of senior leaders"), 50),
    Item("4.1.3", "4.1", _("Organisational governance"), 30),
    Item("4.1.4", "4.1", _("Social responsibility"), 30),
    Item("4.2.2", "4.2", _("Strategy development"), 40),
    Item("4.2.3", "4.2", _("Strategy deployment"), 50),
    Item("4.3.2", "4.3", _("Understanding customers and markets"), 40),
    Item("4.3.3", "4.3", _("Customer relationships and satisfaction"), 50),
    Item("4.4.2", "4.4", _("Human resources"), 60),
    Item("4.4.3", "4.4", _("Financial resources"), 15),
    Item("4.4.4", "4.4", _("Information and knowledge resources"), 20),
    Item("4.4.5", "4.4", _("Technology resources"), 15),
    Item("4.4.6", "4.4", _("Infrastructure"), 10),
    Item("4.4.7", "4.4", _("Relationships with related parties"), 10),
    Item("4.5.2", "4.5", _("Process identification and design"), 50),
    Item("4.5.3", "4.5", _("Process implementation and improvement"), 50),
    Item("4.6.2", "4.6", _("Measurement, analysis and review of performance"), 40),
    Item("4.6.3", "4.6", _("Improvement and innovation"), 40),
    Item("4.7.2", "4.7", _("Product and service results"), 80),
    Item("4.7.3", "4.7", _("Customer and market results"), 80),
    Item("4.7.4", "4.7", _("Financial results"), 80),
    Item("4.7.5", "4.7", _("Resource results"), 60),
    Item("4.7.6", "4.7", _("Process effectiveness results"), 50),
    Item("4.7.7", "4.7", _("Leadership results"), 50),
)
ITEM_BY_CODE = {item.code: item for item in ITEMS}
ITEM_CODES = tuple(item.code for item in ITEMS)
#: Lazy labels: an f-string would fix them in whatever language was active at import time.
ITEM_CHOICES = [(item.code, format_lazy("{} {}", item.code, item.name)) for item in ITEMS]
TOTAL_POINTS = sum(item.points for item in ITEMS)

#: The scoring bands of GB/Z 19579 (percent, inclusive), each with what it means: a score is a
#: multiple of 5 inside one of them.
BANDS: tuple[tuple[int, int], ...] = ((0, 5), (10, 25), (30, 45), (50, 65), (70, 85), (90, 100))
#: The percentages a score may take.
PERCENTS: tuple[int, ...] = tuple(p for low, high in BANDS for p in range(low, high + 1, 5))

#: What an expert judges: processes by approach, deployment, learning and integration (ADLI),
#: results by levels, trends, comparisons and integration (LeTCI).
PROCESS_GUIDE = _("Approach, deployment, learning, integration")
RESULTS_GUIDE = _("Levels, trends, comparisons, integration")


def band_of(percent: float | Decimal | int) -> tuple[int, int]:
    """The band a (possibly averaged) percentage falls in; between two bands, the lower."""
    value = float(percent)
    chosen = BANDS[0]
    for low, high in BANDS:
        if value >= low:
            chosen = (low, high)
    return chosen


def band_label(percent: float | Decimal | int) -> str:
    low, high = band_of(percent)
    return f"{low}%–{high}%"


def is_valid_percent(value: object) -> bool:
    """Whether a score is one GB/Z 19579 allows: a whole multiple of 5 inside a band."""
    return isinstance(value, int) and not isinstance(value, bool) and value in PERCENTS


assert TOTAL_POINTS == 1000 and len(ITEMS) == 23
assert all(sum(i.points for i in c.items) == c.points for c in CATEGORIES)
