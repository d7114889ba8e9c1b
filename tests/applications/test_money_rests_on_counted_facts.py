"""Found in a review of the money path: an application is paid only while the record it rests
on counts, an approved amount fits its column whatever the caller sends, and nothing of an
application changes once a step has moved it on (a page loaded before the step)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.applications.conftest import (
    _project,
    claim_on_file,
    pdf,
    quick_application,
    submit_with_evidence,
)
from tests.clients import token_client
from zhibiao.applications import services
from zhibiao.applications.models import Application, Status
from zhibiao.applications.services.claims import left_under_caps
from zhibiao.core.errors import ConcurrentChange, TransitionRefused
from zhibiao.core.workflow import take
from zhibiao.measures.models import Clause
from zhibiao.profiles.models import StandardDrafting
from zhibiao.verification import services as verification

pytestmark = pytest.mark.django_db


def test_a_project_whose_record_was_rejected_leaves_nothing_to_pay(people):
    """贤达 holds two national standards under one clause; the record behind the applied one is
    rejected as forged: the other standard's amount is not this project's room."""
    application = quick_application(people)
    record = StandardDrafting.objects.get(organisation=people["xianda"], code=application.project)
    twin = StandardDrafting.objects.get(pk=record.pk)
    twin.pk, twin.code = None, "GB/T 99319-" + application.project.rsplit("-", 1)[-1]
    twin.save()
    assert left_under_caps(application)[0] > 0
    verification.reject(people["admin"], "standard_drafting", record.pk, note="伪造")
    left, reasons = left_under_caps(application)
    assert left == 0 and application.project in reasons[0]
    with pytest.raises(TransitionRefused, match=application.project):
        submit_with_evidence(people, application)
    assert Application.objects.get(pk=application.pk).status == Status.DRAFT


def _near_miss_on_notice(people) -> Application:
    application = claim_on_file(people, "FX23-STD-NAT-2", Status.PUBLICITY, "SBX1", "P-X", 0)
    Application.objects.filter(pk=application.pk).update(publicity_ends_at=timezone.now())
    return Application.objects.get(pk=application.pk)


@pytest.mark.parametrize("amount", ["1" + "0" * 29, "1e30", "NaN", "Infinity", "12.345"])
def test_an_approved_amount_fits_its_column_or_is_refused_by_field(people, amount):
    application = _near_miss_on_notice(people)
    answer = token_client(people["admin"]).post(
        f"/api/v1/applications/{application.pk}/transitions",
        {"action": "approve", "amount": amount},
        content_type="application/json",
    )
    assert answer.status_code == 422, answer.content
    assert "amount" in answer.json()["errors"]
    with pytest.raises(ValidationError) as refused:
        take(people["admin"], application, "approve", amount=amount)
    assert "amount" in refused.value.message_dict
    assert Application.objects.get(pk=application.pk).status == Status.PUBLICITY


def test_a_page_loaded_before_the_submission_changes_nothing_after_it(people):
    application = quick_application(people)
    stale = Application.objects.get(pk=application.pk)
    submit_with_evidence(people, application)
    item = services.required_evidence(stale)[0]
    with pytest.raises(ConcurrentChange):
        services.add_evidence(people["enterprise"], stale, item, pdf("换过的.pdf"))
    with pytest.raises(ConcurrentChange):
        services.update_statement(people["enterprise"], stale, "提交后改的说明")
    fresh = Application.objects.get(pk=application.pk)
    assert fresh.statement != "提交后改的说明"
    current = fresh.evidence.filter(superseded_by__isnull=True)
    assert "换过的.pdf" not in set(current.values_list("original_name", flat=True))


def test_a_statement_given_at_the_start_is_bounded_too(people):
    clause = Clause.objects.get(code="FX23-STD-NAT-2")
    with pytest.raises(ValidationError) as refused:
        services.start_application(
            people["enterprise"],
            people["xianda"],
            clause,
            project=_project(people, clause),
            statement="长" * 5001,
        )
    assert "statement" in refused.value.message_dict
