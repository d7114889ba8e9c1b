"""Screening: the whole population against every rule book in force, in the background, and
telling the entitled of a clause granted without application (免申即享).
"""

from __future__ import annotations

import datetime
import math
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.accounts.permissions import Actor, ensure, is_district_admin, users_acting_for
from zhibiao.audit.services import record
from zhibiao.core.db import IdRange
from zhibiao.jobs.services import Split, enqueue, split
from zhibiao.measures import facts
from zhibiao.measures.models import Clause, Entitlement, Screening
from zhibiao.measures.services.compiled import auto_allowed, pinned_books, pinned_clause_sets
from zhibiao.measures.services.explanations import rulebooks_in_force
from zhibiao.notifications.services import notify
from zhibiao.rules import evaluate_population

#: The dotted paths of a chunk's task and of the step that combines the chunks (jobs.split).
CHUNK_TASK = "zhibiao.measures.services.screening.screen_chunk"
COMBINE_TASK = "zhibiao.measures.services.screening.combine_chunks"


def screen(progress, *, as_of: str) -> dict[str, Any] | Split:
    """The background task: every enterprise against every rule book; keep the entitled.

    A population larger than SCREENING_CHUNK_SIZE is split into chunks of enterprise ids, each
    a part of the job run by whichever worker is free (`screen_chunk`); the last chunk done
    sums them up (`combine_chunks`). A smaller one is screened here, through the same code.
    """
    day = datetime.date.fromisoformat(as_of)  # a job's arguments are JSON: the date is text
    # get_or_create: a job run again after its worker died keeps its one screening.
    screening, _new = Screening.objects.get_or_create(job=progress.job, defaults={"as_of": day})
    # The rule books and versions read once, here: every chunk applies the same ones.
    books = pinned_books(rulebooks_in_force(day))
    chunks = chunk_bounds(settings.SCREENING_CHUNK_SIZE)
    if len(chunks) > 1:
        parts = [
            {"screening": screening.pk, "as_of": as_of, "low": low, "high": high, "books": books}
            for low, high in chunks
        ]
        return split(progress, task=CHUNK_TASK, parts=parts, combine=COMBINE_TASK)
    return _combine(screening, [_screen_range(screening, day, IdRange(), books, progress)])


def chunk_bounds(size: int) -> list[tuple[int | None, int | None]]:
    """The id ranges (low included, high excluded) of chunks of about `size` enterprises.

    The first range is open below and the last open above, so that together they cover every
    enterprise, including one registered while the chunks are being screened; `size` 0 or a
    population that fits in one chunk gives a single range covering all.
    """
    if size <= 0:
        return [(None, None)]
    span = facts.enterprises().aggregate(low=Min("pk"), high=Max("pk"), count=Count("pk"))
    chunks = math.ceil(span["count"] / size)
    if chunks <= 1:
        return [(None, None)]
    # Ranges of equal width over the ids: the aggregate above is one pass over an index,
    # where numbering the rows to cut equal counts took seconds for a million. Ids are
    # assigned in order, so the ranges hold about `size` enterprises each.
    width = math.ceil((span["high"] - span["low"] + 1) / chunks)
    starts = [span["low"] + width * n for n in range(1, chunks)]
    lows: list[int | None] = [None, *starts]
    highs: list[int | None] = [*starts, None]
    return list(zip(lows, highs, strict=True))


def screen_chunk(
    part,
    *,
    screening: int,
    as_of: str,
    low: int | None,
    high: int | None,
    books: list[dict[str, Any]],
) -> dict:
    """One chunk of a screening (a part of its job): the enterprises with ids in [low, high),
    against the rule books and versions the screening pinned when it split.

    Idempotent: a chunk run again (its worker died, or it raised and was retried) replaces
    the entitlements it wrote before, in one transaction, so nothing is counted twice."""
    day = datetime.date.fromisoformat(as_of)
    return _screen_range(Screening.objects.get(pk=screening), day, IdRange(low, high), books)


def combine_chunks(job, results: list[dict[str, Any]]) -> dict[str, Any]:
    """The last step of a chunked screening: the chunks' counts summed into the screening."""
    return _combine(Screening.objects.get(job=job), results)


def _screen_range(
    screening: Screening,
    day: datetime.date,
    chunk: IdRange,
    pinned: list[dict[str, Any]],
    progress=None,
) -> dict[str, Any]:
    """Screen the enterprises in `chunk` and write their entitlements in place of any that an
    earlier run of the same chunk wrote; returns the chunk's counts (JSON: a part's result).
    `progress` (a job's, when not split) is told of each step."""

    def step(done: int, message: str) -> None:
        if progress is not None:
            progress(done, 3, message)

    step(0, gettext("Reading the records"))
    books = pinned_clause_sets(pinned)
    needed = set().union(*(facts.needed_by(compiled) for _rb, compiled, _v in books))
    population, ids = facts.population(day, needed=needed, chunk=chunk)
    step(1, gettext("Applying the rules"))
    rows: list[Entitlement] = []
    entitled_any = set()
    total = Decimal(0)
    for _rulebook, compiled, versions in books:
        result = evaluate_population(compiled, population, day)
        for column, clause in enumerate(result.clauses):
            version = versions[(clause.id, clause.version)]
            for row in result.entitled[:, column].nonzero()[0]:
                amount = result.amount(int(row), clause.id)
                rows.append(
                    Entitlement(
                        screening=screening,
                        version=version,
                        organisation_id=ids[row],
                        amount=amount,
                    )
                )
                entitled_any.add(ids[row])
                total += amount
    step(2, gettext("Saving the entitled"))
    with transaction.atomic():
        earlier = Entitlement.objects.filter(screening=screening)
        earlier.filter(**chunk.lookups("organisation_id")).delete()
        Entitlement.objects.bulk_create(rows, batch_size=2000)
    # Chunks are disjoint sets of enterprises, so their counts add up to the whole's.
    return {
        "enterprises": len(ids),
        "entitled": len(entitled_any),
        "rows": len(rows),
        "total": str(total),
    }


def _combine(screening: Screening, counts: list[dict[str, Any]]) -> dict[str, Any]:
    """Record the screening's totals from its chunks' counts (one chunk when not split)."""
    entitled = sum(c["entitled"] for c in counts)
    rows = sum(c["rows"] for c in counts)
    Screening.objects.filter(pk=screening.pk).update(
        enterprises=sum(c["enterprises"] for c in counts),
        entitled=entitled,
        total=sum((Decimal(c["total"]) for c in counts), Decimal(0)),
        finished_at=timezone.now(),
    )
    return {
        "entitled": entitled,
        "rows": rows,
        "link": f"/measures/screenings/{screening.pk}/",
    }


@transaction.atomic
def start_screening(actor: Actor, as_of: datetime.date | None = None):
    """Screen the whole population in the background; returns the job to follow."""

    ensure(is_district_admin(actor))
    as_of = as_of or timezone.localdate()
    return enqueue(
        actor,
        "zhibiao.measures.services.screen",
        title=gettext("Screening on %(date)s") % {"date": as_of.isoformat()},
        as_of=as_of.isoformat(),
    )


def latest_screening() -> Screening | None:
    return (
        Screening.objects.filter(finished_at__isnull=False).order_by("-finished_at", "-pk").first()
    )


@transaction.atomic
def notify_entitled(actor: Actor, clause: Clause, screening: Screening) -> int:
    """Tell every entitled enterprise of a clause what to do: confirm it (免申即享, where the
    clause may be granted without application: `auto_allowed`), or open the prefilled
    application (快申快享) — never "no application is needed" for a clause that needs one.

    Only the users who act for it are told: an expert who works there may not confirm, and is
    not to learn its money from the platform (`users_acting_for`)."""

    ensure(is_district_admin(actor))
    pending = list(
        Entitlement.objects.filter(
            screening=screening, version__clause=clause, notified_at__isnull=True
        ).select_related("organisation", "version")
    )
    users_by_org: dict[int | None, list] = {}
    for user in users_acting_for(e.organisation_id for e in pending):
        users_by_org.setdefault(user.organisation_id, []).append(user)
    notified = []
    body = (
        gettext("Confirm it on “My policies”; no application is needed.")
        if auto_allowed(clause)
        else gettext("Apply on “My policies”: the application is prefilled from your records.")
    )
    for entitlement in pending:
        recipients = users_by_org.get(entitlement.organisation_id, [])
        if not recipients:
            continue
        notify(
            recipients,
            kind="entitlement",
            title=gettext("You are entitled to “%(title)s”: %(amount)s yuan")
            % {"title": entitlement.version.title, "amount": entitlement.amount},
            body=body,
            link="/measures/mine/",
        )
        notified.append(entitlement.pk)
    Entitlement.objects.filter(pk__in=notified).update(notified_at=timezone.now())
    record(actor, "entitlement.notify", clause, screening=screening.pk, notified=len(notified))
    return len(notified)
