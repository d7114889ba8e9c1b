"""Only paid awards are *received*, but awards still on their way are *claimed*: they count
against a yearly cap when one more application is submitted, so an enterprise cannot file past
the cap before anything is paid (issue 10, part 4)."""

import pytest
from django.utils import timezone

from tests.applications.conftest import claim_on_file, quick_application, submit_with_evidence
from zhibiao.applications.models import Application, Status
from zhibiao.core.errors import TransitionRefused

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
