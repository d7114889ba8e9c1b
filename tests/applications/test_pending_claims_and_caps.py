"""Only paid awards are *received*, but awards still on their way are *claimed*: they count
against a yearly cap when one more application is submitted, so an enterprise cannot file past
the cap before anything is paid (issue 10, part 4)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.applications.conftest import (
    claim_on_file,
    expert_reviews,
    quick_application,
    submit_with_evidence,
)
from zhibiao.applications import services
from zhibiao.applications.models import Application, Status
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.workflow import take

pytestmark = pytest.mark.django_db


def _pending_claims(people, count: int, status: str = Status.SUBMITTED) -> None:
    """`count` applications in category 标准 this year, for other projects, none paid."""
    year = timezone.localdate().year
    for n in range(count):
        number, project = f"SB{year}98{n:04d}", f"DB31/T 98{n:02d}-{year}"
        claim_on_file(people, "FX23-STD-LOCAL", status, number, project, 50000)


def test_claims_on_their_way_fill_the_category_cap(people):
    application = quick_application(people)
    _pending_claims(people, 5)  # the rule book allows 5 a year in one category
    with pytest.raises(TransitionRefused, match="category"):
        submit_with_evidence(people, application)
    assert Application.objects.get(pk=application.pk).status == Status.DRAFT


def test_below_the_cap_the_submission_goes_through(people):
    application = quick_application(people)
    _pending_claims(people, 4)
    submit_with_evidence(people, application)
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED


def test_closed_claims_do_not_count(people):
    application = quick_application(people)
    _pending_claims(people, 5, status=Status.REJECTED)
    submit_with_evidence(people, application)
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED


def _on_public_notice(people, application):
    """Through the formal check and the review to the public notice (publicity of 0 days)."""
    admin, expert = people["admin"], people["expert"]
    take(admin, application, "accept")
    services.assign_reviewers(admin, application, [expert])
    expert_reviews(people, application)
    return take(admin, application, "start_publicity")


def test_approval_counts_the_caps_again(people):
    """An award recorded as received after the submission (here a payment written straight
    into the records, as an import would) fills the category: approving would pay past the
    cap, so it is refused with the cap named, and nothing changes."""
    application = submit_with_evidence(people, quick_application(people))
    _pending_claims(people, 4)
    application = _on_public_notice(people, application)
    paid = claim_on_file(
        people, "FX23-STD-LOCAL", Status.DISBURSED, "SB9999990001", "DB31/T 9990-2020", 50000
    )
    with pytest.raises(ValidationError) as refused:
        take(people["admin"], application, "approve")
    said = str(refused.value)
    assert "上限现在只为本申报留下 0 元" in said and "标准" in said, said
    application.refresh_from_db()
    assert application.status == Status.PUBLICITY and application.amount_approved is None
    paid.delete()
    assert take(people["admin"], application, "approve").amount_approved == 50000


def test_approval_within_the_caps_is_unchanged(people):
    application = _on_public_notice(people, submit_with_evidence(people, quick_application(people)))
    assert take(people["admin"], application, "approve", amount="30000").amount_approved == 30000
