"""News reports: writing and correcting them, and the events, policies, batches and bases they
concern."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from zhibiao.accounts.permissions import ensure, is_district_admin
from zhibiao.audit.services import changes, record
from zhibiao.core.revisions import held_as_seen
from zhibiao.news.models import NewsItem

NEWS_FIELDS = ["title", "published_on", "source", "summary", "body", "is_published"]
NEWS_LINKS = ["events", "policies", "batches", "bases"]


@transaction.atomic
def save_news(
    actor, item: NewsItem | None, data: Mapping[str, Any], *, seen: int | None = None
) -> NewsItem:
    """Write or correct a news report and the events, policies, batches and bases it concerns.
    District staff only; a report dated in the future, or not published, stays off the site.

    A correction is made to the report as it is now, held until the save commits; one from a
    page that showed another revision (`seen`: a colleague saved meanwhile) is refused
    (`ConcurrentChange`) instead of silently writing back what that page showed. `seen` None
    (the API's PUT, which sends the whole report) writes over it as it is now."""
    ensure(is_district_admin(actor))
    creating = item is None
    if item is not None:
        stale = gettext("This news report was changed elsewhere meanwhile; reload and try again.")
        item = held_as_seen(NewsItem, item.pk, seen, field="revision", stale=stale)
        item.revision += 1  # held: nobody else counts it up meanwhile
    item = item or NewsItem()
    before = {name: getattr(item, name) for name in NEWS_FIELDS}
    linked = {name: _linked(item, name) for name in NEWS_LINKS} if item.pk else {}
    for name in NEWS_FIELDS:
        if name in data:
            setattr(item, name, data[name])
    item.full_clean()
    item.save()
    for name in NEWS_LINKS:
        if name in data:
            getattr(item, name).set(data[name])
    diff = changes(item, before, NEWS_FIELDS)
    for name in NEWS_LINKS:  # a correction of what the report concerns is a change too
        now = _linked(item, name)
        if now != linked.get(name, []):
            diff[name] = (linked.get(name, []), now)
    record(
        actor,
        "news.create" if creating else "news.update",
        item,
        changes={k: [str(v) for v in pair] for k, pair in diff.items()},
    )
    return item


def _linked(item: NewsItem, name: str) -> list[int]:
    return sorted(getattr(item, name).values_list("pk", flat=True))
