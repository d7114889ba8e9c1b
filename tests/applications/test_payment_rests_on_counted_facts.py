"""An approval is paid only while the records it rests on still count: a record rejected
between the approval and the payment (a forged standard found out) stops the payment, the page
says why, and staff revoke the approval with a reason the enterprise is told."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.applications.conftest import expert_reviews, quick_application, submit_with_evidence
from tests.clients import client_for, token_client
from zhibiao.applications import services
from zhibiao.applications.models import Application, Status
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.workflow import available, take
from zhibiao.notifications.models import Notification
from zhibiao.profiles.models import StandardDrafting
from zhibiao.verification import services as verification

pytestmark = pytest.mark.django_db


def _approved(people) -> Application:
    application = submit_with_evidence(people, quick_application(people))
    admin = people["admin"]
    take(admin, application, "accept")
    services.assign_reviewers(admin, application, [people["expert"]])
    expert_reviews(people, application)
    take(admin, application, "start_publicity")
    return take(admin, application, "approve")


def _reject_its_record(people, application: Application) -> None:
    record = StandardDrafting.objects.get(organisation=people["xianda"], code=application.project)
    verification.reject(people["admin"], "standard_drafting", record.pk, note="伪造的发布公告")


def test_a_record_rejected_after_the_approval_stops_the_payment(people):
    application = _approved(people)
    assert "disburse" in [step.action for step in available(people["admin"], application)]
    _reject_its_record(people, application)
    actions = [step.action for step in available(people["admin"], application)]
    assert "disburse" not in actions and "revoke" in actions
    with pytest.raises(TransitionRefused, match=application.project):
        take(people["admin"], application, "disburse", payment_reference="PAY-1")
    assert Application.objects.get(pk=application.pk).status == Status.APPROVED

    answer = token_client(people["admin"]).post(
        f"/api/v1/applications/{application.pk}/transitions",
        {"action": "disburse", "payment_reference": "PAY-1"},
        content_type="application/json",
    )
    assert answer.status_code == 409, answer.content
    assert Application.objects.get(pk=application.pk).status == Status.APPROVED

    page = client_for(people["admin"]).get(reverse("applications:detail", args=[application.pk]))
    text = page.content.decode()
    assert "暂不付款" in text and application.project in text
    assert 'value="revoke"' in text and 'value="disburse"' not in text


def test_an_approval_still_supported_is_paid(people):
    application = _approved(people)
    paid = take(people["admin"], application, "disburse", payment_reference="PAY-2")
    assert paid.status == Status.DISBURSED


def test_staff_revoke_the_approval_with_a_reason_the_enterprise_hears(people):
    application = _approved(people)
    _reject_its_record(people, application)
    with pytest.raises(ValidationError):  # a revocation says why
        take(people["admin"], application, "revoke")
    with pytest.raises(PermissionDenied):  # staff's decision, not the enterprise's
        take(people["enterprise"], application, "revoke", reason="不要了")
    revoked = take(people["admin"], application, "revoke", reason="所依据的标准记录经核实为伪造")
    assert revoked.status == Status.REJECTED
    step = revoked.steps.order_by("-at", "-pk").first()
    assert (step.from_status, step.to_status, step.reason) == (
        "approved",
        "rejected",
        "所依据的标准记录经核实为伪造",
    )
    told = Notification.objects.filter(
        recipient=people["enterprise"], kind="application.revoke"
    ).get()
    assert "伪造" in told.body
