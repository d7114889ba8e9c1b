"""Operations on the catalogue of standards (`models.catalogue`): reading a catalogue file,
importing one, loading the catalogue shipped in `standards/data`, and saying what it covers.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from pathlib import Path
from typing import IO, Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max

from zhibiao.accounts.permissions import ensure, is_district_admin
from zhibiao.audit.services import record
from zhibiao.core.tabular import read_table
from zhibiao.core.uploads import TEXT, check_upload
from zhibiao.standards import catalogue
from zhibiao.standards.models import Announcement, CatalogueSource, Standard
from zhibiao.standards.services.status_changes import apply_due_changes

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# --- Catalogue -----------------------------------------------------------------------------


def read_catalogue_file(file: IO[bytes], name: str = "") -> tuple[list[str], list]:
    """Headers and rows of a catalogue file: JSON by name or first byte, else CSV/xlsx."""

    file.seek(0)
    head = file.read(64).lstrip(b"\xef\xbb\xbf \r\n\t")
    file.seek(0)
    if name.lower().endswith(".json") or head[:1] in (b"[", b"{"):
        check_upload(file, (TEXT,))
        file.seek(0)
        return catalogue.read_json(file)
    table = read_table(file)
    return table.headers, table.rows


@transaction.atomic
def import_standards(
    actor, file: IO[bytes], *, name: str = "", source: str = CatalogueSource.IMPORT
) -> catalogue.ImportResult:
    """Import a catalogue file (CSV, xlsx or JSON): every row, or none (ImportFailed).

    District administrators only; ``actor`` None is the system (a management command).
    """
    ensure(actor is None or is_district_admin(actor))
    headers, rows = read_catalogue_file(file, name)
    result = catalogue.import_catalogue(actor, headers, rows, source=source)
    if result.changed:
        record(
            actor,
            "standards.import",
            None,
            file=name[:100],
            created=result.created,
            updated=result.updated,
            links=result.links,
            inferred=result.inferred,
        )
    return result


@functools.cache
def _shipped_rows() -> list[tuple[str, dict]]:
    """The shipped files, read and checked once per process (they never change under it)."""
    prepared = []
    for filename, source in (
        ("nmpa-medical-device-standards.json", CatalogueSource.NMPA),
        ("sports-standards.json", CatalogueSource.SPORTS),
    ):
        with (DATA_DIR / filename).open("rb") as handle:
            prepared.append((source, catalogue.prepare(*catalogue.read_json(handle))))
    text = (DATA_DIR / "yy-announcement-replacements.md").read_text(encoding="utf-8")
    prepared.append(
        (CatalogueSource.ANNOUNCEMENT, catalogue.prepare(*catalogue.read_announcement(text)))
    )
    return prepared


def load_shipped_catalogue(actor=None) -> list[catalogue.ImportResult]:
    """The real catalogue data shipped in ``zhibiao/standards/data`` (see its README):
    NIFDC medical-device standards, sport standards, and an NMPA announcement's replacements.
    Idempotent: a second run changes nothing."""
    ensure(actor is None or is_district_admin(actor))
    with transaction.atomic():
        results = [
            catalogue.import_prepared(parsed, source=source) for source, parsed in _shipped_rows()
        ]
        if any(result.changed for result in results):
            record(
                actor,
                "standards.load_shipped",
                None,
                created=sum(r.created for r in results),
                updated=sum(r.updated for r in results),
            )
    return results


def apply_dated_statuses(today: datetime.date | None = None) -> int:
    """Move the standards whose dates have come and apply the pending changes announcements
    decided (issue 15, `services.status_changes.apply_due_changes`); returns how many changed.

    An import sets the status from the dates as they stand that day; nothing moved a standard
    when its day came, so a check kept calling it "not yet in force" (issue 14: run daily from
    Celery beat). Each move is now a recorded change whose holders are alerted.
    """
    return apply_due_changes(today).applied


# --- Coverage -------------------------------------------------------------------------------


def coverage() -> dict[str, Any]:
    """What the catalogue holds, said plainly on the check page and report: the families of
    codes (GB/T, YY/T, …) with their counts, the total, and the last announcement applied.
    Kept in the cache until the catalogue changes (its count and latest update are the key)."""
    total = Standard.objects.count()
    latest = Standard.objects.aggregate(latest=Max("updated_at"))["latest"]
    key = f"standards:coverage:{total}:{latest.timestamp() if latest else 0}"
    found = cache.get(key)
    if found is None:
        families: dict[str, int] = defaultdict(int)
        for code, number in Standard.objects.values_list("code", "number").iterator(
            chunk_size=5000
        ):
            prefix = code.split(number, 1)[0].strip() if number else code.split(" ", 1)[0]
            families[prefix or code] += 1
        ordered = sorted(families.items(), key=lambda item: (-item[1], item[0]))
        found = {"total": total, "families": ordered}
        cache.set(key, found, 3600)
    last = Announcement.objects.order_by("-date", "-pk").values("number", "date").first()
    return {
        **found,
        "top": found["families"][:12],
        "more": max(0, len(found["families"]) - 12),
        "announcement": last,
    }
