"""The bases' year (figures, evaluation), status steps (suspension, reinstatement, removal),
becoming a base (application → review → designation in a numbered batch), and the facts the
measures read."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for, token_client
from tests.events.conftest import genuine_course, local, make_event, people, run_now
from tests.factories import make_organisation, make_user
from zhibiao.accounts.models import Role
from zhibiao.audit.models import AuditEntry
from zhibiao.bases import services
from zhibiao.bases.models import (
    BaseStep,
    Batch,
    Evaluation,
    Nomination,
    TrainingBase,
)
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.workflow import take
from zhibiao.events import services as events
from zhibiao.events import training
from zhibiao.events.errors import Refused
from zhibiao.events.models import Event

pytestmark = pytest.mark.django_db


def held_course(base, registrant, checker, *, kind="course", came=2, scores=(5, 4), year=None):
    """A course at the base that is over, `came` people checked in, some survey answers."""
    event = make_event(base, kind=kind, capacity=10)
    created = events.register(registrant, event, people(came + 1))
    run_now(event)
    for person in created[:came]:
        events.check_in(checker, event, events.check_in_code(person))
    run_now(event, ended=True)
    for person, score in zip(created, scores, strict=False):
        events.submit_feedback(None, person, satisfaction=score, usefulness=score)
    if year is not None:
        Event.objects.filter(pk=event.pk).update(
            starts_at=timezone.make_aware(datetime.datetime(year, 6, 1, 9)),
            ends_at=timezone.make_aware(datetime.datetime(year, 6, 1, 11)),
        )
    return event


#: Mid-June in Shanghai: the courses held "today" fall in the same year whatever day the suite
#: runs on (it used to skip itself just after New Year, when they fell in the year before).
MID_YEAR = datetime.datetime(2026, 6, 15, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.mark.time_machine(MID_YEAR, tick=True)
def test_yearly_figures(base, manager, enterprise_user):
    this_year = timezone.localdate().year
    held_course(base, enterprise_user, manager, came=2, scores=(5, 3))
    held_course(base, enterprise_user, manager, kind="site_visit", came=3, scores=(4,))
    make_event(base)  # still to come: not held
    figures = training.yearly_figures(this_year, [base])[base.pk]
    assert (figures.courses, figures.site_visits, figures.practices) == (1, 1, 0)
    assert figures.attendees == 5
    assert figures.responses == 3 and figures.satisfaction == 4
    page = client_for(None).get(base.get_absolute_url()).content.decode()
    assert "base-years" in page


def test_evaluation_of_a_finished_year(base, manager, enterprise_user, users):
    last_year = timezone.localdate().year - 1
    held_course(base, enterprise_user, manager, came=3, scores=(5, 5), year=last_year)
    admin = users["admin"]
    with pytest.raises(PermissionDenied):
        training.evaluate(manager, base, last_year, result="excellent")
    with pytest.raises(ValidationError) as caught:
        training.evaluate(admin, base, timezone.localdate().year, result="great")
    assert set(caught.value.message_dict) == {"year", "result"}
    evaluation = training.evaluate(admin, base, last_year, result="pass", comment="达标")
    assert (evaluation.courses, evaluation.attendees, evaluation.satisfaction) == (1, 3, 5)
    with pytest.raises(ValidationError):
        training.evaluate(admin, base, last_year, result="pass")  # once a year
    assert Evaluation.objects.count() == 1
    page = client_for(manager).get(base.get_absolute_url()).content.decode()
    assert "达标" in page  # the base's managers see their evaluation
    assert "达标" not in client_for(None).get(base.get_absolute_url()).content.decode()
    response = client_for(admin).post(
        reverse("bases:evaluate", args=[base.pk]), {"year": "1999", "result": "pass"}
    )
    assert response.status_code == 302 and Evaluation.objects.count() == 1


def test_status_steps_recorded_and_refused(base, manager, users):
    admin = users["admin"]
    with pytest.raises(PermissionDenied):
        take(manager, base, "suspend", reason="x")
    with pytest.raises(ValidationError) as caught:
        take(admin, base, "suspend")
    assert "reason" in caught.value.message_dict
    take(admin, base, "suspend", reason="年度评估不合格")
    with pytest.raises(TransitionRefused):
        take(admin, base, "suspend", reason="again")
    take(admin, base, "reinstate", reason="整改完成")
    take(admin, base, "remove", reason="主动退出")
    with pytest.raises(TransitionRefused):
        take(admin, base, "reinstate", reason="x")
    changes = list(BaseStep.objects.values_list("from_status", "to_status", "reason"))
    assert changes == [
        ("active", "suspended", "年度评估不合格"),
        ("suspended", "active", "整改完成"),
        ("active", "removed", "主动退出"),
    ]
    assert AuditEntry.objects.filter(action__startswith="base.").count() == 3
    assert manager.notifications.filter(kind="base.suspend").exists()


def test_status_step_pages_and_api(base, manager, users):
    url = reverse("bases:status", args=[base.pk])
    assert client_for(None).post(url, {"action": "suspend", "reason": "x"}).status_code == 302
    assert client_for(manager).post(url, {"action": "suspend", "reason": "x"}).status_code == 403
    client_for(users["admin"]).post(url, {"action": "suspend", "reason": "检查"})
    assert TrainingBase.objects.get(pk=base.pk).status == "suspended"
    api = token_client(users["admin"])
    again = api.post(
        f"/api/v1/bases/{base.pk}/transitions",
        {"action": "suspend", "reason": "x"},
        content_type="application/json",
    )
    assert again.status_code == 409
    back = api.post(
        f"/api/v1/bases/{base.pk}/transitions",
        {"action": "reinstate", "reason": "好了"},
        content_type="application/json",
    )
    assert [row["to_status"] for row in back.json()] == ["suspended", "active"]


def test_becoming_a_base_from_application_to_plaque(base, users, enterprise_user, other_org):
    admin = users["admin"]
    application = services.nominate(
        enterprise_user, {"statement": "行业龙头，标准化基础好。", "offer": "精密加工质量控制课程"}
    )
    with pytest.raises(Refused):
        services.nominate(enterprise_user, {"statement": "再来一次", "offer": "x"})
    stranger = make_user(Role.ENTERPRISE, other_org)
    assert (
        client_for(stranger).get(reverse("bases:nomination", args=[application.pk])).status_code
        == 404
    )
    with pytest.raises(PermissionDenied):
        take(enterprise_user, application, "start_review")
    with pytest.raises(TransitionRefused):
        take(admin, application, "designate")
    take(admin, application, "start_review")
    with pytest.raises(ValidationError):
        take(admin, application, "approve")  # reason required
    take(admin, application, "approve", reason="现场考察合格")
    second = services.create_batch(admin, designated_on=datetime.date(2025, 7, 24))
    assert second.number == 2 and str(second) == "第二批"
    with pytest.raises(ValidationError):
        take(admin, application, "designate")  # which batch?
    take(admin, application, "designate", batch=second)
    application.refresh_from_db()
    assert application.status == "designated"
    new_base = application.base
    assert new_base.batch == second and new_base.organisation == enterprise_user.organisation
    assert new_base.plaque_date == datetime.date(2025, 7, 24)
    assert list(application.steps.values_list("to_status", flat=True)) == [
        "submitted",
        "in_review",
        "approved",
        "designated",
    ]
    listed = client_for(None).get(reverse("bases:list")).content.decode()
    assert "第二批" in listed and enterprise_user.organisation.name in listed


def test_application_pages_and_withdrawal(users, enterprise_user):
    client = client_for(enterprise_user)
    create = reverse("bases:nomination_create")
    assert client_for(users["expert"]).get(create).status_code == 403
    empty = client.post(create, {"statement": "", "offer": ""})
    assert set(empty.context["form"].errors) == {"statement", "offer"}
    response = client.post(create, {"statement": "申请", "offer": "课程"})
    application = Nomination.objects.get()
    assert response.status_code == 302
    step = reverse("bases:nomination_step", args=[application.pk])
    client.post(step, {"action": "approve", "reason": "自己批准"})
    assert Nomination.objects.get().status == "submitted"
    client.post(step, {"action": "withdraw"})
    assert Nomination.objects.get().status == "withdrawn"
    api = token_client(enterprise_user).post(
        "/api/v1/bases/applications",
        {"statement": "重新申请", "offer": "课程"},
        content_type="application/json",
    )
    assert api.status_code == 201 and api.json()["next_steps"] == ["withdraw"]
    admin_api = token_client(users["admin"])
    batch = services.create_batch(users["admin"], designated_on=datetime.date(2025, 7, 24))
    wrong = admin_api.post(
        f"/api/v1/bases/applications/{api.json()['id']}/transitions",
        {"action": "designate", "batch": batch.number},
        content_type="application/json",
    )
    assert wrong.status_code == 409  # submitted, not yet approved: the batch exists


def test_batch_page_for_staff_only(users, enterprise_user):
    url = reverse("bases:batch_create")
    assert client_for(enterprise_user).get(url).status_code == 403
    response = client_for(users["admin"]).post(url, {"designated_on": "2025-07-24", "note": ""})
    assert response.status_code == 302
    assert Batch.objects.get().number == 1


def test_training_facts_for_the_measures(base, manager, users, clock):
    """Courses that count (announced ahead, open, three other enterprises) reach the measures
    with their attendees; the evaluation is the latest before the year."""
    today = clock.at
    last_year = timezone.localdate().year - 1
    registrants = [make_user(Role.ENTERPRISE) for _ in range(3)]
    genuine_course(clock, manager, registrants, starts_at=local(last_year, 6, 1), each=1)
    genuine_course(
        clock, manager, registrants, starts_at=local(last_year, 6, 20), kind="site_visit"
    )
    clock.set(today)
    training.evaluate(users["admin"], base, last_year, result="excellent")
    other = make_organisation()
    facts = training.training_facts([base.organisation_id, other.pk], last_year)
    assert list(facts) == [base.organisation_id]
    courses = facts[base.organisation_id]["courses"]
    assert [(c["kind"], c["attendees"], c["held_on"]) for c in courses] == [
        ("course", 3, datetime.date(last_year, 6, 1)),
        ("site_visit", 6, datetime.date(last_year, 6, 20)),
    ]
    assert facts[base.organisation_id]["base_evaluation"] == "none"  # evaluated that very year
    following = training.training_facts(None, last_year + 1)
    assert following[base.organisation_id] == {"courses": [], "base_evaluation": "excellent"}


def test_demo_year_overview_and_facts(demo):
    last_year = timezone.localdate().year - 1
    page = client_for(None).get(reverse("bases:year", args=[last_year]))
    assert page.status_code == 200
    rows = {row[0].organisation.name: row[1] for row in page.context["rows"]}
    chenguang = rows["上海晨光文具股份有限公司"]
    assert (chenguang.courses, chenguang.site_visits, chenguang.practices) == (3, 1, 1)
    assert chenguang.attendees == 78 and chenguang.satisfaction
    chenguang_id = TrainingBase.objects.get(organisation__name="上海晨光文具股份有限公司")
    facts = training.training_facts([chenguang_id.organisation_id], last_year + 1)
    assert facts[chenguang_id.organisation_id]["base_evaluation"] == "excellent"
    api = client_for(None).get(f"/api/v1/bases/years/{last_year}").json()
    assert next(r for r in api if r["name"] == "上海晨光文具股份有限公司")["attendees"] == 78
