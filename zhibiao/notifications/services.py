"""Sending notifications: a row in each recipient's inbox and, where they have an address,
an e-mail, sent after the surrounding transaction commits (so a rolled-back operation sends
nothing)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from zhibiao.core import generations
from zhibiao.core.bulk import insert_rows
from zhibiao.notifications.models import Family, MutedEmail, Notification

log = logging.getLogger(__name__)


# Which family mutes a kind of notification, by the whole kind or by its part before the first
# dot. Every kind the code sends is here (tests/notifications/test_families.py reads the code
# to hold this to it): a family the user may mute on their settings page, or None for the few
# a user must read by e-mail (a record of theirs rejected, a seat freed for them) or that
# never e-mail (notify_bulk's fan-outs, which reach the mailbox through a digest).
FAMILY_OF_KIND: dict[str, Family | None] = {
    "entitlement": Family.ENTITLEMENT,
    "application": Family.APPLICATION,
    "review": Family.REVIEW,
    "award.assigned": Family.REVIEW,
    "award.unassigned": Family.REVIEW,
    "objection": Family.OBJECTION,
    "award.objection": Family.OBJECTION,
    "demand": Family.DEMAND,
    "award_cycle": Family.AWARD,
    "award_entry": Family.AWARD,
    "base": None,
    "base_application": None,
    "verification": None,
    "registration": None,
    "event": None,
    "standards": None,
}


def family_of(kind: str) -> Family | None:
    """The family that mutes `kind` by e-mail, or None when no choice of the user's does.

    The kind's own prefix is no family: the award's objections and expert assignments are
    `award.*`, yet a user who mutes objections or expert reviews means them too."""
    if kind in FAMILY_OF_KIND:
        return FAMILY_OF_KIND[kind]
    return FAMILY_OF_KIND.get(kind.split(".", 1)[0])


def notify(recipients: Iterable, *, kind: str, title: str, body: str = "", link: str = "") -> int:
    """Notify each active recipient once; returns how many were notified."""
    rows = [
        Notification(recipient=user, kind=kind, title=title[:200], body=body, link=link)
        for user in {user.pk: user for user in recipients if user.is_active}.values()
    ]
    Notification.objects.bulk_create(rows)
    # The inbox's count is in the header of the pages kept per user (zhibiao.core.pagecache).
    transaction.on_commit(lambda: generations.bump(generations.NOTIFICATIONS), robust=True)
    family = family_of(kind)
    muted = (
        set(
            MutedEmail.objects.filter(
                user__in=[row.recipient for row in rows], family=family
            ).values_list("user_id", flat=True)
        )
        if family is not None
        else set()
    )
    emails = [
        (row, row.recipient.email)
        for row in rows
        if row.recipient.email and row.recipient_id not in muted
    ]
    if emails:
        # robust: the operation has committed by then; a mail that cannot go must not turn it
        # into a server error for whoever took it (`_send` logs what it could not send).
        transaction.on_commit(lambda: _send(emails), robust=True)
    return len(rows)


def notify_bulk(messages: Iterable[tuple[int, str, str, str]], *, kind: str) -> int:
    """Notify many users at once, each with their own text: ``(user_id, title, body, link)``.

    The fan-out of one event to a hundred thousand holders (a standard replaced, issue 15):
    rows are written in a few multi-row statements, without loading the users; inactive users
    are skipped, and a user named twice with one title is told once. No e-mail here: a flood
    of mail for one event helps nobody, so these kinds reach the mailbox through their weekly
    digest.
    """
    wanted: dict[tuple[int, str], tuple[str, str]] = {}
    for user_id, title, body, link in messages:
        wanted.setdefault((user_id, title), (body, link))
    if not wanted:
        return 0
    User = get_user_model()
    ids = sorted({user_id for user_id, _ in wanted})
    active: set[int] = set()
    for start in range(0, len(ids), 900):
        active.update(
            User.objects.filter(pk__in=ids[start : start + 900], is_active=True).values_list(
                "pk", flat=True
            )
        )
    now = timezone.now()
    rows = [
        (user_id, kind, title[:200], body, link[:300], now, None, False)
        for (user_id, title), (body, link) in wanted.items()
        if user_id in active
    ]
    # insert_rows, not bulk_create: the ORM prepares every value of every row (tens of µs a
    # row), which made a fan-out of 100,000 slow; these rows are built here, already valid.
    insert_rows(
        Notification,
        ("recipient", "kind", "title", "body", "link", "created_at", "read_at", "emailed"),
        rows,
    )
    transaction.on_commit(lambda: generations.bump(generations.NOTIFICATIONS), robust=True)
    return len(rows)


def subject_of(title: str) -> str:
    """A notification's title as a mail's subject, on one line: a title often names what
    someone typed (a person's name, an event), and Django refuses a subject with a line break
    (BadHeaderError, against header injection)."""
    return " ".join(title.split())


def _send(emails: list[tuple[Notification, str]]) -> None:
    sent = []
    for row, address in emails:
        text = f"{row.body}\n\n{row.link}".strip() if row.link else row.body
        try:
            send_mail(subject_of(row.title), text, settings.DEFAULT_FROM_EMAIL, [address])
        except OSError:  # a mail server that is down must not break the operation
            log.warning("could not e-mail notification %s to %s", row.pk, address)
            continue
        sent.append(row.pk)
    Notification.objects.filter(pk__in=sent).update(emailed=True)


def mark_read(user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of the user's own notifications read."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    transaction.on_commit(lambda: generations.bump(generations.NOTIFICATIONS), robust=True)
    return rows.update(read_at=timezone.now())


@transaction.atomic
def set_muted(user, families) -> list[str]:
    """The user's choice of e-mail families to mute; the inbox keeps everything regardless."""
    wanted = {family for family in families if family in Family.values}
    MutedEmail.objects.filter(user=user).exclude(family__in=wanted).delete()
    for family in wanted:
        MutedEmail.objects.get_or_create(user=user, family=family)
    return sorted(wanted)
