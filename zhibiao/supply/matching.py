"""Ranking candidates for a need: offerings and committee experts, with the reasons shown.

The one mechanism for putting people to work: service demands use it, and so does the
assignment of experts to review applications (`rank_experts`). Conflicts of interest exclude
a candidate outright (an expert's own or declared organisation; a provider serving itself);
everything else only moves a candidate up or down, and each move is a reason the user reads.

Speed: the catalogue's static part (categories, words, towns, industries) is indexed once per
process and rebuilt when an offering changes; each ranking then reads only the candidates'
running figures, scores every candidate with numbers alone, and writes the reasons for the
few it returns.
"""

from __future__ import annotations

import heapq
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count
from django.utils.translation import gettext

from zhibiao.accounts.models import Role
from zhibiao.committee import services as committee
from zhibiao.committee.models import Availability, CommitteeMember, ExpertProfile
from zhibiao.core.db import raw_rows
from zhibiao.core.text import words
from zhibiao.directory.models import Organisation
from zhibiao.supply.models import CandidateStats, Category, Offering


@dataclass
class Candidate:
    kind: str  # "offering" or "expert"
    pk: int  # the offering's or the expert user's id
    name: str
    title: str
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pk}"


@dataclass(frozen=True)
class Need:
    """What is to be served: by whom (the enterprise), what kind of work, in what words."""

    organisation: Organisation
    category: str | None
    text: str


@dataclass(frozen=True)
class _Facts:
    """Why a candidate scores what it scores; turned into words only for those shown."""

    kind: str  # "same", "other" or "expert" (how the category fits)
    shared: frozenset[str]
    need_words: int
    industry: bool | None
    town: bool | None
    open_work: int
    ratings: int
    rating_total: int
    answers: int
    answer_seconds: int
    limited: bool = False

    def reasons(self) -> list[str]:
        out = []
        if self.kind == "same":
            out.append(gettext("offers this kind of service"))
        elif self.kind == "expert":
            out.append(gettext("committee expert"))
        if self.shared:
            # Words are matched lower-cased; a Latin one in a Chinese description is an
            # abbreviation (CMA, CNAS), so it is shown in capitals.
            shown = "、".join(w.upper() if w.isascii() else w for w in sorted(self.shared)[:5])
            out.append(gettext("matching words: %(words)s") % {"words": shown})
        if self.industry is True:
            out.append(gettext("serves this industry"))
        if self.town is True:
            out.append(gettext("serves this town"))
        elif self.town is False:
            out.append(gettext("does not usually serve this town"))
        if self.open_work:
            out.append(gettext("%(count)s jobs in hand") % {"count": self.open_work})
        if self.ratings:
            average = self.rating_total / self.ratings
            out.append(
                gettext("rated %(average).1f over %(count)s jobs")
                % {"average": average, "count": self.ratings}
            )
        else:
            out.append(gettext("not rated yet"))
        if self.answers:
            hours = self.answer_seconds / self.answers / 3600
            out.append(gettext("answers in %(hours).0f hours on average") % {"hours": hours})
        if self.limited:
            out.append(gettext("limited availability"))
        return out


def _fit(values: Iterable[str], code: str) -> bool | None:
    """True if a list of sections/divisions/towns covers the code; None when the list is empty."""
    values = tuple(values or ())
    if not values:
        return None
    return any(code.startswith(value) for value in values if value)


# --- The catalogue's static index --------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    pk: int
    category: str
    words: frozenset[str]
    towns: frozenset[str]
    industries: frozenset[str]
    organisation_id: int | None
    expert_id: int | None
    name: str
    title: str


_index_lock = threading.Lock()
_index: tuple[tuple, dict[str, list[_Entry]]] | None = None


def _versions() -> tuple[tuple, tuple]:
    """Signs of change of the catalogue and of the experts' static data, in one round trip.

    A row added (count, highest id) or edited (latest update) changes the sign, and the index
    built from it is rebuilt.
    """

    quote = connection.ops.quote_name
    offering = quote(Offering._meta.db_table)
    member = quote(CommitteeMember._meta.db_table)
    links = quote(CommitteeMember.expertise.through._meta.db_table)
    profile = quote(ExpertProfile._meta.db_table)
    parts = [
        f"(SELECT COUNT(*) FROM {offering})",
        f"(SELECT MAX(id) FROM {offering})",
        f"(SELECT MAX(updated_at) FROM {offering})",
        f"(SELECT COUNT(*) FROM {member})",
        f"(SELECT MAX(id) FROM {member})",
        f"(SELECT COUNT(*) FROM {links})",
        f"(SELECT MAX(id) FROM {links})",
        f"(SELECT COUNT(*) FROM {profile})",
        f"(SELECT MAX(updated_at) FROM {profile})",
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return tuple(row[:3]), tuple(row[3:])


def _catalogue(version: tuple) -> dict[str, list[_Entry]]:
    """Active offerings by category; rebuilt when any offering changes."""
    global _index
    with _index_lock:
        if _index is not None and _index[0] == version:
            return _index[1]
    by_category: dict[str, list[_Entry]] = defaultdict(list)
    rows = Offering.objects.filter(is_active=True).values_list(
        "pk", "category", "words", "towns", "industries", "organisation_id", "expert_id",
        "organisation__name", "expert__first_name", "expert__username", "title",
    )  # fmt: skip
    for pk, category, text, towns, industries, org, expert, org_name, first, user, title in rows:
        by_category[category].append(
            _Entry(
                pk, category, frozenset(text.split()), frozenset(towns or ()),
                frozenset(industries or ()), org, expert, org_name or first or user, title,
            )
        )  # fmt: skip
    with _index_lock:
        _index = (version, dict(by_category))
    return _index[1]


def _offering_figures(categories) -> dict[int, tuple[int, int, int, int, int]]:
    """The running figures of the offerings in these categories."""
    rows = raw_rows(
        CandidateStats.objects.filter(offering__category__in=categories).values_list(
            "offering_id", "ratings", "rating_total", "answers", "answer_seconds", "open_work"
        )
    )
    return {row[0]: row[1:] for row in rows}


# --- Ranking --------------------------------------------------------------------------------


def rank(
    need: Need, *, limit: int = 10, experts: bool = True, offerings: bool = True
) -> list[Candidate]:
    """The best candidates for a need, best first, conflicts excluded."""
    organisation = need.organisation
    need_words = words(need.text)
    division = organisation.industry[:3] if organisation.industry else ""
    town = organisation.town
    conflicted = set(committee.conflicted_experts(organisation.pk).values_list("pk", flat=True))
    scored: list[tuple] = []
    catalogue_version, experts_version = _versions()
    workload = _workload()
    if offerings:
        catalogue = _catalogue(catalogue_version)
        categories = [need.category, Category.OTHER] if need.category else list(catalogue)
        figures = _offering_figures(categories)
        staffed = _staffed_organisations()
        section = division[:1]
        for category in dict.fromkeys(categories):
            for entry in catalogue.get(category, ()):
                if entry.organisation_id == organisation.pk or entry.expert_id in conflicted:
                    continue
                # Nobody would answer: an expert taking no work, an organisation without an
                # active provider or base manager. Offered one, a demand would wait in vain.
                if (entry.expert_id and not workload.takes_work(entry.expert_id)) or (
                    entry.organisation_id and entry.organisation_id not in staffed
                ):
                    continue
                figures_of = figures.get(entry.pk, _NO_FIGURES)
                # Numbers first, for every candidate; _Facts and words only for those shown.
                industry = (
                    (division in entry.industries or section in entry.industries)
                    if division and entry.industries
                    else None
                )
                town_fit = (town in entry.towns) if town and entry.towns else None
                shared = need_words & entry.words
                kind = "same" if entry.category == need.category else "other"
                points = _points(kind, shared, len(need_words), industry, town_fit, figures_of)
                detail = (kind, shared, industry, town_fit, figures_of, False)
                scored.append((points, "offering", entry.pk, entry, detail))
    if experts:
        scored.extend(
            _experts(organisation, need_words, division, conflicted, experts_version, workload)
        )
    best = heapq.nsmallest(limit, scored, key=lambda item: (-item[0], item[1], item[2]))
    out = []
    for points, kind, _pk, subject, detail in best:
        fit, shared, industry, town_fit, figures_of, limited = detail
        ratings, total, answers, seconds, open_work = figures_of
        facts = _Facts(
            kind=fit,
            shared=shared,
            need_words=len(need_words),
            industry=industry,
            town=town_fit,
            open_work=open_work,
            ratings=ratings,
            rating_total=total,
            answers=answers,
            answer_seconds=seconds,
            limited=limited,
        )
        candidate = Candidate(kind, subject.pk, subject.name, subject.title)
        candidate.score = points
        candidate.reasons = facts.reasons()
        out.append(candidate)
    return out


_NO_FIGURES = (0, 0, 0, 0, 0)


_BASE = {"same": 30.0, "expert": 15.0, "other": 5.0}


def _points(kind, shared, need_words, industry, town, figures, limited=False) -> float:
    """The same arithmetic as _Facts.points, without building an object per candidate."""
    ratings, total, answers, seconds, open_work = figures
    score = _BASE[kind]
    if shared:
        score += 30 * min(1.0, len(shared) / max(4, need_words))
    score += 10 if industry is True else 4 if industry is None else 0
    score += 10 if town is True else 6 if town is None else 0
    score -= min(20, 4 * open_work)
    if ratings:
        score += (total / ratings - 3) * 5
    if answers:
        hours = seconds / answers / 3600
        score += 5 if hours <= 24 else 2 if hours <= 72 else -3
    if limited:
        score -= 5
    return round(score, 2)


@dataclass(frozen=True)
class _Expert:
    name: str
    tags: tuple[str, ...]
    known: frozenset[str]
    industries: tuple[str, ...]


_experts_lock = threading.Lock()
_expert_index: tuple[tuple, dict[int, _Expert]] | None = None


def _expert_index_now(version: tuple) -> dict[int, _Expert]:
    """What changes seldom about experts (names, expertise, industries, introduction), indexed
    once per process and rebuilt when a seat, an expertise link or a profile changes."""
    global _expert_index

    with _experts_lock:
        if _expert_index is not None and _expert_index[0] == version:
            return _expert_index[1]
    names: dict[int, str] = {}
    tags: dict[int, list[str]] = defaultdict(list)
    seats = CommitteeMember.objects.filter(user__isnull=False).values_list(
        "user_id", "user__first_name", "user__username", "expertise__name"
    )
    for user_id, first, username, tag in raw_rows(seats):
        names[user_id] = first or username
        if tag and tag not in tags[user_id]:
            tags[user_id].append(tag)
    profiles = dict(ExpertProfile.objects.values_list("user_id", "industries"))
    bios = dict(ExpertProfile.objects.values_list("user_id", "bio"))
    index = {}
    for pk, name in names.items():
        expertise = tuple(tags.get(pk, ()))
        text = " ".join(expertise) + " " + (bios.get(pk) or "")
        known = words(text) | {tag.lower() for tag in expertise}
        index[pk] = _Expert(name, expertise, frozenset(known), tuple(profiles.get(pk) or ()))
    with _experts_lock:
        _expert_index = (version, index)
    return index


@dataclass
class _Workload:
    """Who takes new work now, read on every ranking without IN lists: each expert's
    availability and capacity, their open demands and reviews, and the inactive logins."""

    availability: dict[int, tuple]
    figures: dict[int, tuple]
    reviews: dict[int, int]
    inactive: set[int]

    def load(self, pk: int) -> int:
        return self.figures.get(pk, _NO_FIGURES)[4] + self.reviews.get(pk, 0)

    def state(self, pk: int) -> str:
        return self.availability.get(pk, (Availability.AVAILABLE, None))[0]

    def takes_work(self, pk: int) -> bool:
        """Active, not away, and under their capacity (if they set one)."""
        if pk in self.inactive or self.state(pk) == Availability.AWAY:
            return False
        capacity = self.availability.get(pk, (None, None))[1]
        return capacity is None or self.load(pk) < capacity


def _workload() -> _Workload:
    from django.apps import apps
    from django.contrib.auth import get_user_model

    review = apps.get_model("applications", "Review")
    return _Workload(
        availability={
            row[0]: row[1:]
            for row in raw_rows(
                ExpertProfile.objects.values_list("user_id", "availability", "capacity")
            )
        },
        figures={
            row[0]: row[1:]
            for row in raw_rows(
                CandidateStats.objects.filter(expert__isnull=False).values_list(
                    "expert_id", "ratings", "rating_total", "answers", "answer_seconds", "open_work"
                )
            )
        },
        reviews=dict(
            review.objects.filter(submitted_at__isnull=True)
            .values("reviewer_id")
            .annotate(n=Count("pk"))
            .values_list("reviewer_id", "n")
        ),
        inactive=set(
            get_user_model()
            .objects.filter(is_active=False, role=Role.EXPERT)
            .values_list("pk", flat=True)
        ),
    )


def _staffed_organisations() -> set[int]:
    """Organisations with an active provider or base-manager login: those who answer an offer
    made to one of their offerings (zhibiao.supply.services._candidate_users)."""
    from django.contrib.auth import get_user_model

    return set(
        get_user_model()
        .objects.filter(
            is_active=True,
            role__in=[Role.PROVIDER, Role.BASE_MANAGER],
            organisation__isnull=False,
        )
        .values_list("organisation_id", flat=True)
        .distinct()
    )


def _experts(organisation, need_words, division, conflicted, version, workload: _Workload):
    """Experts with a current seat and no conflict who take work now (`_Workload`)."""
    from django.utils import timezone

    index = _expert_index_now(version)
    sitting = {
        row[0]
        for row in raw_rows(
            CommitteeMember.objects.current(timezone.localdate())
            .filter(user__isnull=False, user__is_active=True, user__role="expert")
            .values_list("user_id")
        )
    } - conflicted
    if not sitting:
        return []
    out = []
    for pk in sitting:
        expert = index.get(pk)
        if expert is None or not workload.takes_work(pk):
            continue
        ratings, total, answers, seconds, _open = workload.figures.get(pk, _NO_FIGURES)
        shared = need_words & expert.known
        industry = _fit(expert.industries, division) if division else None
        limited = workload.state(pk) == Availability.LIMITED
        figures_of = (ratings, total, answers, seconds, workload.load(pk))
        points = _points("expert", shared, len(need_words), industry, None, figures_of, limited)
        detail = ("expert", shared, industry, None, figures_of, limited)
        out.append(
            (points, "expert", pk, _Subject(pk, expert.name, "、".join(expert.tags)), detail)
        )
    return out


@dataclass(frozen=True)
class _Subject:
    pk: int
    name: str
    title: str


def rank_experts(organisation: Organisation, text: str, limit: int = 20) -> list[Candidate]:
    """Experts for reviewing something of this organisation (an application), best first."""
    return rank(Need(organisation, None, text), limit=limit, offerings=False)
