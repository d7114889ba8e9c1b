"""Screening: the whole population against every rule book in force, in the background, and
telling the entitled of a clause granted without application (免申即享).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.accounts.permissions import Actor, ensure, is_district_admin, users_acting_for
from zhibiao.audit.services import record
from zhibiao.jobs.services import enqueue
from zhibiao.measures import facts
from zhibiao.measures.models import Clause, Entitlement, Screening
from zhibiao.measures.services.compiled import _published, clause_set
from zhibiao.measures.services.explanations import rulebooks_in_force
from zhibiao.notifications.services import notify
from zhibiao.rules import evaluate_population


def screen(progress, *, as_of: str) -> dict[str, Any]:
    """The background task: every enterprise against every rule book; keep the entitled."""
    day = datetime.date.fromisoformat(as_of)  # a job's arguments are JSON: the date is text
    screening = Screening.objects.create(as_of=day, job=progress.job)
    steps = 3
    progress(0, steps, gettext("Reading the records"))
    books = [(rulebook, clause_set(rulebook)) for rulebook in rulebooks_in_force(day)]
    needed = set().union(*(facts.needed_by(compiled) for _rb, compiled in books))
    population, ids = facts.population(day, needed=needed)
    progress(1, steps, gettext("Applying the rules"))
    rows: list[Entitlement] = []
    entitled_any = set()
    total = Decimal(0)
    for rulebook, compiled in books:
        result = evaluate_population(compiled, population, day)
        versions = {(v.clause.code, v.number): v for v in _published(rulebook)}
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
    progress(2, steps, gettext("Saving the entitled"))
    Entitlement.objects.bulk_create(rows, batch_size=2000)
    Screening.objects.filter(pk=screening.pk).update(
        enterprises=len(ids), entitled=len(entitled_any), total=total, finished_at=timezone.now()
    )
    return {
        "entitled": len(entitled_any),
        "rows": len(rows),
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
    """Tell every entitled enterprise of a clause (免申即享) that it only needs to confirm.

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
    for entitlement in pending:
        recipients = users_by_org.get(entitlement.organisation_id, [])
        if not recipients:
            continue
        notify(
            recipients,
            kind="entitlement",
            title=gettext("You are entitled to “%(title)s”: %(amount)s yuan")
            % {"title": entitlement.version.title, "amount": entitlement.amount},
            body=gettext("Confirm it on “My policies”; no application is needed."),
            link="/measures/mine/",
        )
        notified.append(entitlement.pk)
    Entitlement.objects.filter(pk__in=notified).update(notified_at=timezone.now())
    record(actor, "entitlement.notify", clause, screening=screening.pk, notified=len(notified))
    return len(notified)
