"""Only possible steps: what `available` offers is exactly what `take` accepts now, in every
state an application passes through and for every role; the pages say what happens next; the
expert's recommendation starts empty; the workbench shows the review's progress."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.applications.conftest import _project, expert_reviews, pdf
from tests.clients import client_for
from zhibiao.applications import services
from zhibiao.applications.forms import ReviewForm
from zhibiao.applications.models import Application
from zhibiao.core.workflow import available, machine_for, take
from zhibiao.measures.models import Clause

pytestmark = pytest.mark.django_db

#: Valid input for every step that takes some: the property is about the object's state.
INPUT = {"reason": "理由", "payment_reference": "PAY-1"}


def assert_available_agrees(actors, obj, data: dict | None = None) -> None:
    """For each actor: every offered step is accepted by `take` (with valid input: `INPUT` and
    `data`), every other one refused; the offering itself writes nothing. Each take is rolled
    back, so the object stays as it was."""
    machine = machine_for(obj)
    for actor in actors:
        with CaptureQueriesContext(connection) as queries:
            offered = {step.action for step in available(actor, obj)}
        writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
        assert writes == [], writes
        for step in machine.steps.values():
            if step.internal:
                continue
            fresh = type(obj).objects.get(pk=obj.pk)
            accepted = True
            try:
                with transaction.atomic():
                    take(actor, fresh, step.action, **{**INPUT, **(data or {})})
                    transaction.set_rollback(True)
            except Exception:  # a refusal of any kind: 403, 409, 400
                accepted = False
            assert accepted == (step.action in offered), (actor.username, obj.status, step.action)


def draft_with_evidence(people) -> Application:
    clause = Clause.objects.get(code="FX23-STD-NAT-2")
    application = services.start_application(
        people["enterprise"], people["xianda"], clause, project=_project(people, clause)
    )
    for item in services.required_evidence(application):
        services.add_evidence(people["enterprise"], application, item, pdf())
    return application


def test_available_is_what_take_accepts_through_the_whole_path(people):
    enterprise, admin, expert = people["enterprise"], people["admin"], people["expert"]
    actors = [enterprise, admin, expert]
    clause = Clause.objects.get(code="FX23-STD-NAT-2")
    application = services.start_application(
        enterprise, people["xianda"], clause, project=_project(people, clause)
    )
    assert_available_agrees(actors, application)  # a draft without its evidence
    assert [s.action for s in available(enterprise, application)] == ["withdraw"]
    for item in services.required_evidence(application):
        services.add_evidence(enterprise, application, item, pdf())
    assert_available_agrees(actors, application)
    assert "withdraw" not in [s.action for s in available(admin, application)]  # not staff's
    application = take(enterprise, application, "submit")
    assert_available_agrees(actors, application)
    assert [s.action for s in available(admin, application)] == ["return", "accept", "reject"]
    returned = take(admin, application, "return", reason="补充材料")
    assert_available_agrees(actors, returned)
    application = take(enterprise, returned, "resubmit")
    application = take(admin, application, "accept")
    assert_available_agrees(actors, application)  # no expert yet: no public notice
    assert [s.action for s in available(admin, application)] == ["reject"]
    services.assign_reviewers(admin, application, [expert])
    assert_available_agrees(actors, application)  # the review is not in
    review = application.reviews.get()
    services.submit_review(expert, review, score=80, recommendation="approve", comment="齐全")
    assert_available_agrees(actors, application)
    assert [s.action for s in available(admin, application)] == ["start_publicity", "reject"]
    application = take(admin, application, "start_publicity")
    assert_available_agrees(actors, application)  # the notice ended (0 working days)
    Application.objects.filter(pk=application.pk).update(
        publicity_ends_at=application.publicity_ends_at.replace(year=2999)
    )
    application.refresh_from_db()
    assert_available_agrees(actors, application)  # during the notice: no approval yet
    assert [s.action for s in available(admin, application)] == ["reject"]
    Application.objects.filter(pk=application.pk).update(publicity_ends_at=None)
    application.refresh_from_db()
    application = take(admin, application, "approve")
    assert_available_agrees(actors, application)
    application = take(admin, application, "disburse", payment_reference="P-1")
    assert_available_agrees(actors, application)
    assert available(admin, application) == []


def test_pages_say_what_happens_next(people):
    enterprise = client_for(people["enterprise"])
    admin = client_for(people["admin"])
    application = draft_with_evidence(people)
    url = reverse("applications:step", args=[application.pk])

    def said(client, data):
        page = client.post(url, data, follow=True).content.decode()
        return page

    assert "已提交，等待形式审查" in said(enterprise, {"action": "submit"})
    assert "已退回，等待企业补正" in said(admin, {"action": "return", "reason": "补充"})
    said(enterprise, {"action": "resubmit"})
    assert "请分配评审专家" in said(admin, {"action": "accept"})
    application.refresh_from_db()
    services.assign_reviewers(people["admin"], application, [people["expert"]])
    expert_reviews(people, application)
    assert "已开始公示，公示期至" in said(admin, {"action": "start_publicity"})
    assert "已批准" in said(admin, {"action": "approve"})
    assert "已登记拨付" in said(admin, {"action": "disburse", "payment_reference": "P-9"})


def test_the_recommendation_starts_empty_and_is_required():
    form = ReviewForm()
    assert form["recommendation"].value() in (None, "")
    html = str(form["recommendation"])
    assert 'value="" selected' in html and 'value="approve" selected' not in html
    bound = ReviewForm({"score": 80, "recommendation": "", "comment": "好"})
    assert not bound.is_valid()
    assert "recommendation" in bound.errors


def test_workbench_shows_the_review_progress(people):
    application = draft_with_evidence(people)
    take(people["enterprise"], application, "submit")
    take(people["admin"], application, "accept")
    services.assign_reviewers(people["admin"], application, [people["expert"]])
    counted = services.with_review_progress(Application.objects.filter(pk=application.pk)).get()
    assert (counted.reviews_submitted, counted.reviews_assigned) == (0, 1)
    expert_reviews(people, application)
    counted = services.with_review_progress(Application.objects.filter(pk=application.pk)).get()
    assert (counted.reviews_submitted, counted.reviews_assigned) == (1, 1)
    page = client_for(people["admin"]).get(reverse("portal:workbench")).content.decode()
    assert "评审 1/1 已完成" in page


def test_a_review_without_recommendation_is_shown_again_as_typed(people):
    application = draft_with_evidence(people)
    take(people["enterprise"], application, "submit")
    take(people["admin"], application, "accept")
    services.assign_reviewers(people["admin"], application, [people["expert"]])
    response = client_for(people["expert"]).post(
        reverse("applications:review", args=[application.pk]),
        {"score": "80", "recommendation": "", "comment": "排序证明齐全"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "排序证明齐全" in page and "has-error" in page  # the comment kept, the error shown
    assert application.reviews.get().submitted_at is None
