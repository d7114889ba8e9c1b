"""The bases' two machines on the workflow engine: a step taken from a stale copy (a page loaded
before someone else acted) is refused and writes nothing; a step writes one history row and one
audit entry."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from zhibiao.audit.models import AuditEntry
from zhibiao.bases import services
from zhibiao.bases.models import BaseStep, NominationStep, TrainingBase
from zhibiao.core.errors import ConcurrentChange, TransitionRefused
from zhibiao.core.workflow import available, take

pytestmark = pytest.mark.django_db


def test_a_status_step_writes_one_history_row_and_one_audit_entry(base, manager, admin_user):
    returned = take(admin_user, base, "suspend", reason="年度评估不合格")

    assert returned is base and base.status == "suspended" and base.revision == 1
    change = BaseStep.objects.get()
    assert (change.base, change.action, change.actor, change.reason) == (
        base,
        "suspend",
        admin_user,
        "年度评估不合格",
    )
    assert (change.from_status, change.to_status) == ("active", "suspended")
    entry = AuditEntry.objects.get(action__startswith="base.")
    assert entry.action == "base.suspend" and entry.actor == admin_user
    assert entry.target_id == str(base.pk) and entry.reason == "年度评估不合格"
    assert entry.data == {"from": "active", "to": "suspended"}
    assert manager.notifications.filter(kind="base.suspend").count() == 1


def test_a_step_from_a_stale_base_is_refused_and_writes_nothing(base, manager, admin_user):
    stale = TrainingBase.objects.get(pk=base.pk)  # another administrator's page, loaded now
    take(admin_user, base, "suspend", reason="年度评估不合格")

    # "remove" is allowed from the status the stale copy shows, but the base has moved on.
    with pytest.raises(ConcurrentChange) as caught:
        take(admin_user, stale, "remove", reason="主动退出")
    assert isinstance(caught.value, TransitionRefused)  # the pages and the API's 409 catch it
    with pytest.raises(ConcurrentChange):
        take(admin_user, stale, "suspend", reason="again")

    base.refresh_from_db()
    assert (base.status, base.revision) == ("suspended", 1)
    assert BaseStep.objects.count() == 1
    assert list(AuditEntry.objects.filter(action__startswith="base.").values_list("action")) == [
        ("base.suspend",)
    ]
    assert not manager.notifications.filter(kind="base.remove").exists()


def test_the_base_machine_is_the_engines(base, manager, admin_user):
    """`take` and `available` find the machine the services declare; only staff have steps."""
    assert [step.action for step in available(admin_user, base)] == ["suspend", "remove"]
    assert available(manager, base) == []
    take(admin_user, base, "remove", reason="主动退出")
    assert base.status == "removed" and available(admin_user, base) == []


def test_a_stale_application_step_is_refused_and_writes_nothing(enterprise_user, admin_user):
    application = services.nominate(enterprise_user, {"statement": "基础好。", "offer": "课程"})
    stale = type(application).objects.get(pk=application.pk)  # the enterprise's open page
    take(admin_user, application, "start_review")

    # Withdrawing is allowed from "submitted", which the stale page shows; the review started.
    with pytest.raises(ConcurrentChange):
        take(enterprise_user, stale, "withdraw")

    application.refresh_from_db()
    assert application.status == "in_review"
    assert list(NominationStep.objects.values_list("action", flat=True)) == [
        "submit",
        "start_review",
    ]
    assert not AuditEntry.objects.filter(action="base_application.withdraw").exists()


def test_designation_audits_the_batch_by_number(enterprise_user, admin_user):
    application = services.nominate(enterprise_user, {"statement": "基础好。", "offer": "课程"})
    take(admin_user, application, "start_review")
    take(admin_user, application, "approve", reason="现场考察合格")
    batch = services.create_batch(admin_user, designated_on=datetime.date(2025, 7, 24))
    take(admin_user, application, "designate", batch=batch)

    entries = AuditEntry.objects.filter(action__startswith="base_application.").order_by("pk")
    assert [(e.action, e.data.get("batch")) for e in entries] == [
        ("base_application.submit", None),
        ("base_application.start_review", None),
        ("base_application.approve", None),
        ("base_application.designate", batch.number),
    ]
    assert application.base.batch == batch and application.steps.count() == 4


def test_an_unknown_step_name_is_told_only_to_who_may_take_a_step(base, manager, admin_user):
    """Step names cannot be probed: someone who may take no step of the base is refused (403)
    whatever the name; staff, who may, hear that the name is unknown (409)."""
    with pytest.raises(PermissionDenied):
        take(manager, base, "teleport")
    with pytest.raises(TransitionRefused, match="teleport"):
        take(admin_user, base, "teleport")
    assert not BaseStep.objects.exists()


def test_a_removed_base_is_no_longer_its_managers_to_run(base, manager, admin_user):
    """Removed, the base's page is a 404 to its manager: so are its capabilities and its
    evaluations in the API, rather than a 403 that says the base exists."""
    from tests.clients import client_for, token_client

    take(admin_user, base, "remove", reason="撤销基地资格")
    page = client_for(manager).post(
        f"/bases/{base.pk}/capabilities/new/", {"kind": "course", "title": "撤销后加的课程"}
    )
    assert page.status_code == 404 and not base.capabilities.filter(title="撤销后加的课程")
    assert token_client(manager).get(f"/api/v1/bases/{base.pk}/evaluations").status_code == 404
    assert token_client(admin_user).get(f"/api/v1/bases/{base.pk}/evaluations").status_code == 200
