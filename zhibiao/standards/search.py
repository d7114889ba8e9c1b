"""Searching the catalogue by code (any written form, with or without year, or a prefix) and
by the words of Chinese titles, with the same answers on SQLite and PostgreSQL.

Codes are matched on ``Standard.key`` (the canonical code without spaces, upper case), which
is indexed: a prefix query is an index range on both databases. Titles are matched through
``TitleToken`` (jieba words): a title must have every word of the query; if none has all of
them, titles with most of them come first. Ties are ordered by a prior stored with each token
(current standards first, then shorter titles) and then by id, so both databases agree.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, IntegerField, Max, Min, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Collate

from zhibiao import stdcodes
from zhibiao.core.db import raw_rows
from zhibiao.standards.models import Standard, TitleToken, search_key
from zhibiao.standards.tokens import query_groups

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NUMBER_ONLY = re.compile(r"^\d+(?:\.\d+)*\.?$")
MAX_QUERY = 200


@dataclass
class Results:
    """One page of results, in rank order, and how many there are in all."""

    standards: list[Standard]
    total: int
    kind: str  # "code", "title" or "all"


def prefix_match(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, in a form each database answers from its index.

    PostgreSQL's LIKE uses the pattern-ops index Django creates; SQLite's LIKE is case
    blind and so ignores a plain index, but a range on the (upper-case) key uses it.
    """
    if connection.vendor == "sqlite" and prefix:
        following = ord(prefix[-1]) + 1
        if 0xD800 <= following <= 0xDFFF:
            following = 0xE000  # surrogates are not characters: SQLite cannot bind them
        if following <= 0x10FFFF:
            upper = prefix[:-1] + chr(following)
            return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})
    return Q(**{f"{field}__startswith": prefix})


def _binary(field: str) -> Collate:
    """Order by the code's characters, not by the locale's rules (which ignore punctuation on
    PostgreSQL and would put 4206.1 among 42061…), so both databases agree."""
    return Collate(field, "C" if connection.vendor == "postgresql" else "BINARY")


def _filters(queryset: QuerySet, level: str | None, status: str | None) -> QuerySet:
    if level:
        queryset = queryset.filter(level=level)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def _page(queryset: QuerySet, offset: int, limit: int) -> tuple[list[Standard], int]:
    total = queryset.count()
    return list(queryset[offset : offset + limit]), total


def _code_results(
    code: stdcodes.StandardCode, base: QuerySet, offset: int, limit: int
) -> tuple[list[Standard], int]:
    """The edition asked for first, then the other editions (newest first), then codes that
    begin with the same characters; a wrong kind (GB for GB/T) falls back to the number."""
    ordered = (
        base.filter(prefix_match("key", search_key(code.base)))
        .annotate(
            match=Case(
                When(edition=code.edition, then=Value(0)),
                When(base=code.base, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            year_order=Coalesce("year", Value(0)),
        )
        .order_by("match", "-year_order", _binary("key"), "pk")
    )
    standards, total = _page(ordered, offset, limit)
    if total == 0:
        fallback = base.filter(number=code.number).annotate(year_order=Coalesce("year", Value(0)))
        fallback = fallback.annotate(
            match=Case(
                When(year=code.year, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        ).order_by("match", "-year_order", "pk")
        standards, total = _page(fallback, offset, limit)
    return standards, total


def _loose_code_results(text: str, base: QuerySet, offset: int, limit: int):
    """Something code-like that is not a whole code: ``GB/T``, ``T/CSSS``, ``16886.1``."""
    if _NUMBER_ONLY.match(text):
        queryset = base.filter(prefix_match("number", text.rstrip(".")))
    else:
        queryset = base.filter(prefix_match("key", search_key(text)))
    return _page(queryset.order_by(_binary("key"), "pk"), offset, limit)


class _TitleIndex:
    """Posting lists of title words: word → sorted standard ids, with each standard's rank
    prior, level and status.

    Grouping tens of thousands of token rows in the database for a common word took most of a
    search; intersecting sorted arrays takes microseconds. Built by one app server from the
    token table and kept in the shared cache under the catalogue's version, so that the others
    load it instead of building their own; a process keeps it while the version holds (one
    version query per search). The lists are one flat array with offsets, which pickles as a
    few buffers rather than an object per word.
    """

    def __init__(self, version: tuple) -> None:
        self.version = version
        by_token: dict[str, list[int]] = {}
        priors: dict[int, int] = {}
        rows = raw_rows(
            TitleToken.objects.order_by("token", "standard_id").values_list(
                "token", "standard_id", "rank"
            )
        )
        for token, standard_id, rank in rows:
            by_token.setdefault(token, []).append(standard_id)
            priors[standard_id] = rank
        lists = [np.unique(np.asarray(ids, dtype=np.int64)) for ids in by_token.values()]
        self.slots = {token: slot for slot, token in enumerate(by_token)}
        self.bounds = np.zeros(len(lists) + 1, dtype=np.int64)
        self.bounds[1:] = np.cumsum([len(ids) for ids in lists], dtype=np.int64)
        self.flat = np.concatenate(lists) if lists else _EMPTY
        facts = raw_rows(Standard.objects.order_by("pk").values_list("pk", "level", "status"))
        self.ids = np.asarray([row[0] for row in facts], dtype=np.int64)
        self.levels = np.asarray([row[1] for row in facts], dtype=object)
        self.statuses = np.asarray([row[2] for row in facts], dtype=object)
        self.priors = np.asarray([priors.get(row[0], 0) for row in facts], dtype=np.int64)

    def known(self, token: str) -> bool:
        return token in self.slots

    def postings(self, token: str) -> np.ndarray:
        slot = self.slots.get(token)
        if slot is None:
            return _EMPTY
        return self.flat[self.bounds[slot] : self.bounds[slot + 1]]

    def positions(self, ids: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.ids, ids)


_index_lock = threading.Lock()
#: This process's copy of the shared index, used while the catalogue's version holds.
_index: _TitleIndex | None = None
#: How long an index stays in the shared cache unused (a new version makes a new entry).
INDEX_SECONDS = 24 * 3600
#: How long a server waits for the index another is building before building its own.
BUILD_WAIT_SECONDS = 30.0


def _version() -> tuple:
    """A sign of change that the indexes answer without scanning: the newest standard, the
    latest edit, the newest token (a changed title replaces its tokens). Standards are never
    deleted from a catalogue, only withdrawn or superseded, which is an edit; imports and the
    admin site's edits set `updated_at` (auto_now, or the import's bulk update)."""
    standards = Standard.objects.aggregate(top=Max("pk"), last=Max("updated_at"))
    tokens = TitleToken.objects.aggregate(top=Max("pk"))
    return (*standards.values(), *tokens.values())


def _key(version: tuple) -> str:
    return "standards:titles:" + hashlib.sha256(repr(version).encode()).hexdigest()[:24]


def title_index() -> _TitleIndex:
    """The index for the catalogue as it is now: this process's copy, else the shared one,
    else built (by one server at a time; the others wait for it a while)."""
    global _index
    version = _version()
    with _index_lock:
        if _index is not None and _index.version == version:
            return _index
    key = _key(version)
    index = cache.get(key)
    if index is None:
        building = key + ":building"
        if not cache.add(building, True, timeout=int(BUILD_WAIT_SECONDS) * 2):
            deadline = time.monotonic() + BUILD_WAIT_SECONDS
            while index is None and time.monotonic() < deadline and cache.get(building):
                time.sleep(0.1)
                index = cache.get(key)
            if index is None:
                index = cache.get(key)  # built and stored just before the last look
        if index is None:
            try:
                index = _TitleIndex(version)
                cache.set(key, index, timeout=INDEX_SECONDS)
            finally:
                cache.delete(building)
    with _index_lock:
        _index = index
    return index


def _title_results(
    text: str,
    base: QuerySet,
    narrowed: bool,
    offset: int,
    limit: int,
    level: str | None = None,
    status: str | None = None,
) -> tuple[list[Standard], int]:
    """Titles with every query word (or, failing that, all but one), best prior first.

    A narrowed search within cited codes goes to the database; level and status filters are
    applied on the index.
    """
    if narrowed and not (level or status):
        return _title_results_db(text, base, offset, limit)
    index = title_index()
    tokens = query_groups(text, index.known)
    if not tokens:
        return [], 0
    lists = [index.postings(token) for token in tokens]
    found = _intersection(lists)
    counts = None
    if not len(found) and len(tokens) > 2 and all(len(token) > 1 for token in tokens):
        # No title has every word: those that miss one word only, best first.
        every, how_many = np.unique(np.concatenate(lists), return_counts=True)
        keep = how_many >= len(tokens) - 1
        found, counts = every[keep], how_many[keep]
    if len(found) and (level or status):
        where = index.positions(found)
        keep = np.ones(len(found), dtype=bool)
        if level:
            keep &= index.levels[where] == level
        if status:
            keep &= index.statuses[where] == status
        found = found[keep]
        counts = counts[keep] if counts is not None else None
    total = len(found)
    if not total:
        return [], 0
    priors = index.priors[index.positions(found)]
    keys = (found, priors) if counts is None else (found, priors, -counts)
    ordered = found[np.lexsort(keys)]
    ids = [int(pk) for pk in ordered[offset : offset + limit]]
    by_id = Standard.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id], total


_EMPTY = np.empty(0, dtype=np.int64)


def _intersection(lists: list[np.ndarray]) -> np.ndarray:
    result = None
    for ids in sorted(lists, key=len):
        result = ids if result is None else np.intersect1d(result, ids, assume_unique=True)
        if not len(result):
            break
    return result if result is not None else _EMPTY


def _title_results_db(
    text: str, base: QuerySet, offset: int, limit: int
) -> tuple[list[Standard], int]:
    """Title words within a narrowed set (codes cited in the query), grouped in the database."""
    tokens = query_groups(text, lambda token: TitleToken.objects.filter(token=token).exists())
    if not tokens:
        return [], 0
    rows = TitleToken.objects.filter(token__in=tokens, standard__in=base)
    grouped = rows.values("standard_id").annotate(n=Count("id"), r=Min("rank"))
    full = grouped.filter(n=len(tokens)).order_by("r", "standard_id")
    total = full.count()
    ids = [row["standard_id"] for row in full[offset : offset + limit]]
    by_id = Standard.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id], total


def search(
    q: str = "",
    *,
    level: str | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = 20,
) -> Results:
    """Search the catalogue; see the module docstring for the rules."""
    text = stdcodes.fold(q or "").strip()[:MAX_QUERY]
    base = _filters(Standard.objects.all(), level, status)
    narrowed = bool(level or status)
    if not text:
        standards, total = _page(base.order_by(_binary("key"), "pk"), offset, limit)
        return Results(standards, total, "all")
    try:
        code = stdcodes.parse(text)
    except stdcodes.CodeError:
        code = None
    if code is not None:
        return Results(*_code_results(code, base, offset, limit), "code")
    if not _CJK.search(text):
        if re.search(r"[A-Za-z0-9]", text):
            return Results(*_loose_code_results(text, base, offset, limit), "code")
        return Results([], 0, "code")
    citations = stdcodes.find_citations(text)
    if citations:
        bases = sorted({c.code.base for c in citations})
        rest = text
        for citation in reversed(citations):
            rest = rest[: citation.start] + " " + rest[citation.end :]
        coded = base.filter(base__in=bases)
        if not _CJK.search(rest):
            return Results(*_page(coded.order_by(_binary("key"), "pk"), offset, limit), "code")
        return Results(*_title_results(rest, coded, True, offset, limit), "title")
    return Results(
        *_title_results(text, base, narrowed, offset, limit, level=level, status=status),
        "title",
    )
