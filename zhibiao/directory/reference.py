"""Loading the GB/T 4754-2017 reference table shipped in data/gbt4754_2017.csv."""

from __future__ import annotations

import csv
from pathlib import Path

INDUSTRY_CSV = Path(__file__).resolve().parent / "data" / "gbt4754_2017.csv"
_LEVEL_ORDER = {"section": 0, "division": 1, "group": 2, "class": 3}


def read_industries(path: Path = INDUSTRY_CSV) -> list[dict[str, str]]:
    """Rows ordered parents first, so each row's parent exists when it is saved."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return sorted(rows, key=lambda row: (_LEVEL_ORDER[row["level"]], row["code"]))


def sync_industries(industry_model, path: Path = INDUSTRY_CSV) -> int:
    """Create or update every row; called from migrations with the historical model."""
    count = 0
    for row in read_industries(path):
        industry_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name_zh"],
                "name_en": row.get("name_en", ""),
                "level": row["level"],
                "parent_id": row["parent"] or None,
            },
        )
        count += 1
    return count
