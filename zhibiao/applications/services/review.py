"""The committee's part: experts assigned and their reviews, and the objections raised during
the public notice (an upheld one rejects the application)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.accounts.permissions import ensure, is_district_admin
from zhibiao.applications.models import Application, Objection, Recommendation, Review, Status
from zhibiao.applications.services.claims import staff_users
from zhibiao.audit.services import record
from zhibiao.committee import services as committee
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.workflow import take
from zhibiao.notifications.services import notify

# --- Reviews ----------------------------------------------------------------------------------


def with_review_progress(applications: QuerySet[Application]) -> QuerySet[Application]:
    """The applications with `reviews_assigned` and `reviews_submitted`: a to-do list says
    "review 1/2 done" rather than a bare "expert review", which reads the same before and after
    every expert has answered. Counted in subqueries, so that a filter on the reviews (an
    expert's own) does not narrow the counts."""

    def counted(reviews: QuerySet[Review]) -> Coalesce:
        grouped = reviews.order_by().values("application").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(grouped), 0)

    reviews = Review.objects.filter(application=OuterRef("pk"))
    return applications.annotate(
        reviews_assigned=counted(reviews),
        reviews_submitted=counted(reviews.filter(submitted_at__isnull=False)),
    )


def _tell_staff(application: Application, kind: str, title: str) -> None:
    """District staff hear that something of theirs to handle happened to `application`;
    `title` names it by its `%(number)s`."""
    title = title % {"number": application.number}
    notify(staff_users(), kind=kind, title=title, link=application.get_absolute_url())


@transaction.atomic
def assign_reviewers(actor, application: Application, reviewers) -> list[Review]:
    """Assign committee experts; anyone with a conflict of interest is refused by name."""
    ensure(is_district_admin(actor))
    if application.status != Status.IN_REVIEW:
        raise TransitionRefused(gettext("Experts are assigned during the expert review."))
    created = committee.assign_experts(
        application.enterprise_id,
        reviewers,
        lambda user: Review.objects.get_or_create(
            application=application, reviewer=user, defaults={"assigned_by": actor}
        ),
        field="reviewers",
    )
    if created:
        record(actor, "application.assign", application, reviewers=[r.reviewer_id for r in created])
        notify(
            [review.reviewer for review in created],
            kind="review.assigned",
            title=gettext("Please review application %(number)s") % {"number": application.number},
            link=application.get_absolute_url(),
        )
    return created


@transaction.atomic
def submit_review(
    actor, review: Review, *, score: int, recommendation: str, comment: str
) -> Review:
    """An expert's own review, once; a conflict declared since the assignment still bars it."""
    ensure(actor.pk == review.reviewer_id)
    application = review.application
    if application.status != Status.IN_REVIEW:
        raise TransitionRefused(gettext("The expert review of this application is over."))
    if review.submitted_at is not None:
        raise TransitionRefused(gettext("You have already submitted this review."))
    if committee.has_conflict(actor, application.enterprise_id):
        raise PermissionDenied(gettext("You have a conflict of interest with this enterprise."))
    errors = {}
    if not isinstance(score, int) or not 0 <= score <= 100:
        errors["score"] = gettext("A score is between 0 and 100.")
    if recommendation not in Recommendation.values:
        errors["recommendation"] = gettext("Recommend approval or rejection.")
    if not (comment or "").strip():
        errors["comment"] = gettext("Write a comment.")
    if errors:
        raise ValidationError(errors)
    review.score, review.recommendation, review.comment = score, recommendation, comment.strip()
    review.submitted_at = timezone.now()
    review.save()
    record(actor, "application.review", application, score=score, recommendation=recommendation)
    _tell_staff(application, "review.submitted", gettext("Review submitted for %(number)s"))
    return review


# --- Objections during the public notice ------------------------------------------------------


@transaction.atomic
def file_objection(actor, application: Application, text: str) -> Objection:
    ensure(actor.is_authenticated)
    if application.status != Status.PUBLICITY or (
        application.publicity_ends_at and timezone.now() > application.publicity_ends_at
    ):
        raise TransitionRefused(gettext("Objections are taken only during the public notice."))
    text = Objection.clean_text(text)
    objection = Objection.objects.create(application=application, filed_by=actor, text=text)
    record(actor, "application.objection", application)
    _tell_staff(application, "objection", gettext("Objection to %(number)s"))
    return objection


@transaction.atomic
def resolve_objection(actor, objection: Objection, *, resolution: str, note: str) -> Objection:
    """Dismiss it, or uphold it, which rejects the application with the note as the reason."""
    ensure(is_district_admin(actor))
    note = objection.resolve(actor, resolution, note)
    record(actor, "objection.resolve", objection.application, resolution=resolution)
    if resolution == Objection.Resolution.UPHELD:
        take(actor, objection.application, "reject", reason=note)
    return objection
