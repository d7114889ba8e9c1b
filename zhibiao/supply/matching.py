"""Ranking candidates for a need: offerings and committee experts, with the reasons shown.

The one mechanism for putting people to work: service demands use it, and so does the
assignment of experts to review applications (`rank_experts`). Conflicts of interest exclude
a candidate outright (an expert's own or declared organisation; a provider serving itself);
everything else only moves a candidate up or down, and each move is a reason the user reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext

from zhibiao.committee import services as committee
from zhibiao.committee.models import Availability
from zhibiao.core.text import words
from zhibiao.directory.models import Organisation
from zhibiao.supply.models import Category, Offering

#: Candidates for a demand come from its category, and from "other", which may fit anything.
NEAR_CATEGORIES = {category: (category, Category.OTHER) for category in Category.values}


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


def _fit(values: Iterable[str], code: str) -> bool | None:
    """True if a list of sections/divisions/towns covers the code; None when the list is empty."""
    values = list(values or [])
    if not values:
        return None
    return any(code.startswith(value) for value in values if value)


def _score(
    candidate: Candidate,
    *,
    category_match: str,
    shared: set[str],
    need_words: int,
    industry: bool | None,
    town: bool | None,
    open_work: int,
    ratings: int,
    rating_total: int,
    answers: int,
    answer_seconds: int,
) -> Candidate:
    reasons = candidate.reasons
    score = 0.0
    if category_match == "same":
        score += 30
        reasons.append(gettext("offers this kind of service"))
    elif category_match == "expert":
        score += 15
        reasons.append(gettext("committee expert"))
    elif category_match == "other":
        score += 5
    if shared:
        score += 30 * min(1.0, len(shared) / max(4, need_words))
        reasons.append(
            gettext("matching words: %(words)s") % {"words": "、".join(sorted(shared)[:5])}
        )
    if industry is True:
        score += 10
        reasons.append(gettext("serves this industry"))
    elif industry is None:
        score += 4
    if town is True:
        score += 10
        reasons.append(gettext("serves this town"))
    elif town is None:
        score += 6
    else:
        reasons.append(gettext("does not usually serve this town"))
    if open_work:
        score -= min(20, 4 * open_work)
        reasons.append(gettext("%(count)s jobs in hand") % {"count": open_work})
    if ratings:
        average = rating_total / ratings
        score += (average - 3) * 5
        reasons.append(
            gettext("rated %(average).1f over %(count)s jobs")
            % {"average": average, "count": ratings}
        )
    else:
        reasons.append(gettext("not rated yet"))
    if answers:
        hours = answer_seconds / answers / 3600
        score += 5 if hours <= 24 else 2 if hours <= 72 else -3
        reasons.append(gettext("answers in %(hours).0f hours on average") % {"hours": hours})
    candidate.score = round(score, 2)
    return candidate


def rank(
    need: Need, *, limit: int = 10, experts: bool = True, offerings: bool = True
) -> list[Candidate]:
    """The best candidates for a need, best first, conflicts excluded."""
    organisation = need.organisation
    need_words = words(need.text)
    division = organisation.industry[:3] if organisation.industry else ""
    town = organisation.town
    conflicted = set(committee.conflicted_experts(organisation.pk).values_list("pk", flat=True))
    found: list[Candidate] = []
    if offerings:
        rows = (
            Offering.objects.filter(is_active=True)
            .exclude(organisation_id=organisation.pk)
            .values_list(
                "pk",
                "category",
                "title",
                "words",
                "towns",
                "industries",
                "expert_id",
                "organisation__name",
                "expert__first_name",
                "expert__username",
                "stats__ratings",
                "stats__rating_total",
                "stats__answers",
                "stats__answer_seconds",
                "stats__open_work",
            )
        )
        if need.category:
            rows = rows.filter(category__in=NEAR_CATEGORIES[need.category])
        for (pk, category, title, text, towns, industries, expert_id, org_name, first, username,
             ratings, rating_total, answers, answer_seconds, open_work) in rows:  # fmt: skip
            if expert_id and expert_id in conflicted:
                continue
            candidate = Candidate("offering", pk, org_name or first or username, title)
            found.append(
                _score(
                    candidate,
                    category_match="same" if category == need.category else "other",
                    shared=need_words & set(text.split()),
                    need_words=len(need_words),
                    industry=_fit(industries, division) if division else None,
                    town=_fit(towns, town) if town else None,
                    open_work=open_work or 0,
                    ratings=ratings or 0,
                    rating_total=rating_total or 0,
                    answers=answers or 0,
                    answer_seconds=answer_seconds or 0,
                )
            )
    if experts:
        found.extend(_experts(organisation, need, need_words, division, conflicted))
    found.sort(key=lambda c: (-c.score, c.kind, c.pk))
    return found[:limit]


def _experts(organisation, need: Need, need_words, division, conflicted) -> list[Candidate]:
    rows = (
        committee.eligible_experts(organisation.pk)
        .exclude(pk__in=conflicted)
        .values_list(
            "pk", "first_name", "username", "open_reviews",
            "expert_profile__availability", "expert_profile__capacity",
            "expert_profile__industries", "expert_profile__bio",
            "candidate_stats__ratings", "candidate_stats__rating_total",
            "candidate_stats__answers", "candidate_stats__answer_seconds",
            "candidate_stats__open_work",
        )
    )  # fmt: skip
    expertise = committee.expertise_by_expert([row[0] for row in rows])
    out = []
    for (pk, first, username, open_reviews, availability, capacity, industries, bio, ratings,
         rating_total, answers, answer_seconds, open_work) in rows:  # fmt: skip
        if availability == Availability.AWAY:
            continue
        load = (open_work or 0) + (open_reviews or 0)
        if capacity is not None and load >= capacity:
            continue
        tags = expertise.get(pk, [])
        known = set()
        for tag in tags:
            known |= words(tag) | {tag.lower()}
        known |= words(bio or "")
        candidate = Candidate("expert", pk, first or username, "、".join(tags))
        out.append(
            _score(
                candidate,
                category_match="expert",
                shared=need_words & known,
                need_words=len(need_words),
                industry=_fit(industries or [], division) if division else None,
                town=None,
                open_work=load,
                ratings=ratings or 0,
                rating_total=rating_total or 0,
                answers=answers or 0,
                answer_seconds=answer_seconds or 0,
            )
        )
        if availability == Availability.LIMITED:
            candidate.score -= 5
            candidate.reasons.append(gettext("limited availability"))
    return out


def rank_experts(organisation: Organisation, text: str, limit: int = 20) -> list[Candidate]:
    """Experts for reviewing something of this organisation (an application), best first."""
    return rank(Need(organisation, None, text), limit=limit, offerings=False)
