"""The training the bases held, read where the data lives: the events they hosted.

A base's year (courses, site visits, practice sessions, attendees, satisfaction), staff's
evaluation of a finished year with those figures, and the facts the measures read (`courses`,
`base_evaluation` in zhibiao/rules/facts.yaml). Events sit above bases in the layers (an event's
host may be a base), so this reading of events for the bases is here, not in zhibiao.bases.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.accounts.permissions import ensure, is_district_admin
from zhibiao.audit.services import record
from zhibiao.bases.models import Evaluation, EvaluationResult, TrainingBase
from zhibiao.bases.services import tell_managers_of_evaluation
from zhibiao.core.constraints import save_new
from zhibiao.core.db import Ids, only_ids
from zhibiao.core.years import year_bounds
from zhibiao.events.models import (
    TRAINING_KINDS,
    Event,
    Feedback,
    HostKind,
    Registration,
    RegistrationStatus,
)
from zhibiao.events.services import qualify

# --- The bases' year -------------------------------------------------------------------------


@dataclass
class YearFigures:
    """What a base delivered in a year: events that ended, by kind, and who came."""

    year: int
    courses: int = 0
    site_visits: int = 0
    practices: int = 0
    attendees: int = 0
    responses: int = 0
    satisfaction: float | None = None

    @property
    def held(self) -> int:
        return self.courses + self.site_visits + self.practices


def _held_events(year: int, *, base_ids=None, organisation_ids=None):
    """Training events hosted at bases that began in `year` (local time) and are over."""
    start, end = year_bounds(year)
    events = Event.objects.filter(
        host_kind=HostKind.BASE,
        kind__in=TRAINING_KINDS,
        starts_at__gte=start,
        starts_at__lt=end,
        ends_at__lte=timezone.now(),
    )
    if base_ids is not None:
        events = events.filter(host_base_id__in=base_ids)
    return only_ids(events, "host_base__organisation_id", organisation_ids)


def yearly_figures(year: int, bases=None) -> dict[int, YearFigures]:
    """Per base id: courses, site visits and practice sessions held in the year, attendees
    checked in, survey responses and average satisfaction. One query per figure kind."""
    base_ids = None if bases is None else [b.pk for b in bases]
    events = _held_events(year, base_ids=base_ids)
    out: dict[int, YearFigures] = {}
    if base_ids is not None:
        out = {pk: YearFigures(year) for pk in base_ids}
    for row in events.values("host_base", "kind").annotate(n=Count("pk")):
        figures = out.setdefault(row["host_base"], YearFigures(year))
        name = {"course": "courses", "site_visit": "site_visits", "practice": "practices"}
        setattr(figures, name[row["kind"]], getattr(figures, name[row["kind"]]) + row["n"])
    attended = (
        Registration.objects.filter(event__in=events, status=RegistrationStatus.ATTENDED)
        .values("event__host_base")
        .annotate(n=Count("pk"))
    )
    for row in attended:
        out.setdefault(row["event__host_base"], YearFigures(year)).attendees = row["n"]
    scores = (
        Feedback.objects.filter(registration__event__in=events)
        .values("registration__event__host_base")
        .annotate(n=Count("pk"), s=Avg("satisfaction"))
    )
    for row in scores:
        figures = out.setdefault(row["registration__event__host_base"], YearFigures(year))
        figures.responses, figures.satisfaction = row["n"], row["s"]
    return out


#: A suggestion for staff, not a rule (demo thresholds): excellent with at least 8 sessions and
#: 4.5 average satisfaction, pass with at least 4 sessions and 3.5, fail below.
def suggested_result(figures: YearFigures) -> str:
    score = figures.satisfaction or 0
    if figures.held >= 8 and score >= 4.5:
        return EvaluationResult.EXCELLENT
    if figures.held >= 4 and score >= 3.5:
        return EvaluationResult.PASS
    return EvaluationResult.FAIL


@transaction.atomic
def evaluate(actor, base: TrainingBase, year: int, *, result: str, comment: str = "") -> Evaluation:
    """Staff's judgement of a base's finished year, with the year's figures as they stand."""
    ensure(is_district_admin(actor))
    errors = {}
    if result not in EvaluationResult.values:
        errors["result"] = gettext("Choose excellent, pass or fail.")
    if not isinstance(year, int) or year < base.batch.designated_on.year:
        errors["year"] = gettext("The base was not designated yet in that year.")
    elif year >= timezone.localdate().year:
        errors["year"] = gettext("Only a finished year can be evaluated.")
    if errors:
        raise ValidationError(errors)
    figures = yearly_figures(year, [base])[base.pk]
    evaluation = Evaluation(
        base=base,
        year=year,
        courses=figures.courses + figures.practices,
        site_visits=figures.site_visits,
        attendees=figures.attendees,
        responses=figures.responses,
        satisfaction=(
            Decimal(str(round(figures.satisfaction, 2)))
            if figures.satisfaction is not None
            else None
        ),
        result=result,
        comment=(comment or "").strip(),
        evaluated_by=actor,
    )
    evaluation.full_clean()
    save_new(evaluation, "bases_evaluation_once_a_year")  # a colleague may evaluate it meanwhile
    record(actor, "base.evaluate", base, year=year, result=result)
    tell_managers_of_evaluation(evaluation)
    return evaluation


# --- The facts the measures read (zhibiao/rules/facts.yaml: courses, base_evaluation) --------


def training_facts(enterprise_ids: Ids, year: int) -> dict[int, dict[str, Any]]:
    """For each enterprise that is or was a training base: the courses and site visits it held
    in `year` that count towards its subsidy (title, kind course/site_visit/practice, held_on,
    attendees that count) and the result of its latest yearly evaluation before `year`
    (excellent/pass/fail; "none" if never evaluated). Enterprises absent from the answer have
    neither (the facts' defaults).

    The measures pay per course and for the number held, so only what the base cannot make up
    is a course here (`zhibiao.events.services.qualify`): announced COURSE_NOTICE_DAYS ahead,
    open to other enterprises, attended by people of at least COURSE_MIN_ENTERPRISES other
    enterprises who registered them; `attendees` counts only those people. A course that does
    not qualify is left out (staff see why on its manage page). The figures of the bases' year
    (`yearly_figures`) still count every event held: they describe the work, not the money.

    `enterprise_ids` None means every enterprise, an IdRange a chunk of them. Six queries
    whatever the number.
    """
    events = _held_events(year, organisation_ids=enterprise_ids).order_by("starts_at", "pk")
    out: dict[int, dict[str, Any]] = {}
    for judged in qualify(events).values():
        facts = out.setdefault(
            judged.host_organisation_id, {"courses": [], "base_evaluation": "none"}
        )
        if not judged.qualifies:
            continue
        facts["courses"].append(
            {
                "title": judged.title,
                "kind": judged.kind,
                "held_on": timezone.localtime(judged.starts_at).date(),
                "attendees": judged.attendees,
            }
        )
    evaluations = Evaluation.objects.filter(year__lt=year)
    evaluations = only_ids(evaluations, "base__organisation_id", enterprise_ids)
    latest = evaluations.order_by("base__organisation_id", "year", "evaluated_at").values_list(
        "base__organisation_id", "result"
    )
    for organisation_id, result in latest:  # ascending, so the last one written wins
        facts = out.setdefault(organisation_id, {"courses": [], "base_evaluation": "none"})
        facts["base_evaluation"] = result
    return out
