"""Operations on the catalogue of standards (`models.catalogue`): reading a catalogue file,
importing one, and loading the catalogue shipped in `standards/data`.
"""

from __future__ import annotations

import datetime
import functools
from pathlib import Path
from typing import IO

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhibiao.accounts.permissions import ensure, is_district_admin
from zhibiao.audit.services import record
from zhibiao.core.tabular import read_table
from zhibiao.core.uploads import TEXT, check_upload
from zhibiao.standards import catalogue
from zhibiao.standards.models import CatalogueSource, Standard, Status, TitleToken

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


@transaction.atomic
def apply_dated_statuses(today: datetime.date | None = None) -> int:
    """Move the standards whose dates have come: withdrawn on their withdrawal date, in force on
    their implementation date. Returns how many changed.

    An import sets the status from the dates as they stand that day; nothing moved a standard
    when its day came, so a check kept calling it "not yet in force" (issue 14: run daily from
    Celery beat). The search ranks are the status's, so they follow, and `updated_at` moves so
    that the search rebuilds its index. Superseded standards stay so: a replacement decided it.
    """
    today = today or timezone.localdate()
    due = Standard.objects.filter(
        Q(status__in=[Status.CURRENT, Status.UPCOMING], withdrawn_on__lte=today)
        | Q(status=Status.UPCOMING, effective_on__lte=today)
    ).only("pk", "status", "title", "withdrawn_on", "effective_on")
    now = timezone.now()
    changed = 0
    for standard in due:
        dates = {"withdrawn_on": standard.withdrawn_on, "effective_on": standard.effective_on}
        status = catalogue.status_from_dates(dates, today)
        if status == standard.status:
            continue
        Standard.objects.filter(pk=standard.pk).update(status=status, updated_at=now)
        TitleToken.objects.filter(standard_id=standard.pk).update(
            rank=catalogue.search_rank(status, standard.title)
        )
        changed += 1
    if changed:
        record(None, "standards.dated_statuses", None, changed=changed, day=today.isoformat())
    return changed
