"""Correcting a recorded yearly evaluation: staff only, with a reason, keeping the version it
replaces; what the evaluation feeds (the measures' `base_evaluation`, the year's page) follows."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tests.clients import client_for, token_client
from tests.factories import make_user
from zhibiao.accounts.models import Role
from zhibiao.audit.models import AuditEntry
from zhibiao.bases import services
from zhibiao.bases.models import Evaluation, EvaluationCorrection, TrainingBase
from zhibiao.core.errors import ConcurrentChange
from zhibiao.events import training
from zhibiao.measures import facts

pytestmark = pytest.mark.django_db

LAST_YEAR = timezone.localdate().year - 1
NO_REASON = gettext_lazy("Say why the evaluation is corrected.")
STALE = gettext_lazy("Someone corrected this evaluation meanwhile; reload and try again.")


@pytest.fixture
def failed(base, users) -> Evaluation:
    """Last year's evaluation, recorded as a fail by mistake."""
    return training.evaluate(users["admin"], base, LAST_YEAR, result="fail", comment="课程不足")


def _fed(base) -> tuple[str, str]:
    """The measures' `base_evaluation` for the year after, for one enterprise and in the batch
    the screening reads: the subsidy's "not failed last year" condition reads this."""
    as_of = datetime.date(LAST_YEAR + 1, 6, 30)
    one = facts.facts_for(base.organisation, as_of)["base_evaluation"]
    population, ids = facts.population(as_of, needed={"base_evaluation"})
    return one, population.facts_of(ids.index(base.organisation_id))["base_evaluation"]


def test_a_colleague_corrects_a_mistaken_fail_and_what_it_feeds_follows(base, manager, failed):
    colleague = make_user(Role.ADMIN)
    assert _fed(base) == ("fail", "fail")
    # The managers heard of the fail: it stops next year's base subsidy.
    told = manager.notifications.get(kind="base.evaluate")
    assert str(LAST_YEAR) in told.title and "不合格" in told.title and told.body == "课程不足"

    corrected = services.correct_evaluation(
        colleague, base, LAST_YEAR, result="pass", comment="补录课程后达标", reason="漏录两场课程"
    )

    assert (corrected.result, corrected.comment, corrected.revision) == (
        "pass",
        "补录课程后达标",
        1,
    )
    evaluation = Evaluation.objects.get()
    assert (evaluation.result, evaluation.evaluated_by) == ("pass", failed.evaluated_by)
    correction = EvaluationCorrection.objects.get()
    assert (correction.from_result, correction.to_result) == ("fail", "pass")
    assert (correction.from_comment, correction.to_comment) == ("课程不足", "补录课程后达标")
    assert (correction.reason, correction.corrected_by) == ("漏录两场课程", colleague)
    assert correction.corrected_at is not None
    entry = AuditEntry.objects.get(action="base.evaluation_correct")
    assert (entry.actor, entry.reason, entry.target_id) == (colleague, "漏录两场课程", str(base.pk))
    assert entry.data == {
        "year": LAST_YEAR,
        "result": ["fail", "pass"],
        "comment": ["课程不足", "补录课程后达标"],
    }
    # What the evaluation feeds reads the corrected result, as it read the first one.
    assert _fed(base) == ("pass", "pass")
    assert training.training_facts(None, LAST_YEAR + 1)[base.organisation_id][
        "base_evaluation"
    ] == ("pass")
    year_page = client_for(colleague).get(reverse("bases:year", args=[LAST_YEAR]))
    assert year_page.context["rows"][0][2].result == "pass"
    # The base's status is its own steps'; its managers hear of the correction.
    assert TrainingBase.objects.get(pk=base.pk).status == "active"
    told = manager.notifications.get(kind="base.evaluation_correct")
    assert "不合格 → 合格" in told.title and told.body == "漏录两场课程"

    services.correct_evaluation(colleague, base, LAST_YEAR, result="excellent", reason="复核")
    history = list(
        EvaluationCorrection.objects.values_list("from_result", "to_result", "to_comment")
    )
    assert history == [("fail", "pass", "补录课程后达标"), ("pass", "excellent", "")]
    assert _fed(base) == ("excellent", "excellent")


def test_only_district_staff_may_correct(base, manager, failed, other_org, users):
    stranger = make_user(Role.ENTERPRISE, other_org)
    for who in (manager, stranger, users["enterprise"], AnonymousUser()):
        with pytest.raises(PermissionDenied):
            services.correct_evaluation(who, base, LAST_YEAR, result="pass", reason="x")
    with pytest.raises(PermissionDenied):  # refused before learning the year was not evaluated
        services.correct_evaluation(manager, base, LAST_YEAR - 1, result="pass", reason="x")
    with pytest.raises(Http404):
        services.correct_evaluation(users["admin"], base, LAST_YEAR - 1, result="pass", reason="x")

    page = reverse("bases:evaluation_correct", args=[base.pk, LAST_YEAR])
    posted = {"result": "pass", "comment": "", "reason": "x", "revision": "0"}
    assert client_for(None).post(page, posted).status_code == 302  # to the sign-in page
    assert client_for(manager).post(page, posted).status_code == 403
    assert client_for(stranger).post(page, posted).status_code == 403
    api = f"/api/v1/bases/{base.pk}/evaluations/{LAST_YEAR}/corrections"
    body = {"result": "pass", "reason": "x"}
    assert client_for(None).post(api, body, content_type="application/json").status_code == 401
    for who in (manager, stranger):
        answer = token_client(who).post(api, body, content_type="application/json")
        assert answer.status_code == 403
    assert Evaluation.objects.get().result == "fail"
    assert not EvaluationCorrection.objects.exists()

    # The base's managers see the page without the form.
    assert "evaluation_correct" not in str(client_for(manager).get(base.get_absolute_url()).content)
    assert page not in client_for(manager).get(base.get_absolute_url()).content.decode()


def test_a_correction_needs_a_reason_and_a_change(base, failed, users):
    admin = users["admin"]
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as caught:
            services.correct_evaluation(admin, base, LAST_YEAR, result="pass", reason=reason)
        assert caught.value.message_dict == {"reason": [NO_REASON]}
    with pytest.raises(ValidationError) as caught:
        services.correct_evaluation(admin, base, LAST_YEAR, result="great", reason="x")
    assert set(caught.value.message_dict) == {"result"}
    with pytest.raises(ValidationError):  # the same result and comment: nothing to correct
        services.correct_evaluation(
            admin, base, LAST_YEAR, result="fail", comment="课程不足", reason="x"
        )

    page = reverse("bases:evaluation_correct", args=[base.pk, LAST_YEAR])
    client = client_for(admin)
    response = client.post(page, {"result": "pass", "reason": "", "revision": "0"}, follow=True)
    assert str(NO_REASON) in response.content.decode()
    api = token_client(admin).post(
        f"/api/v1/bases/{base.pk}/evaluations/{LAST_YEAR}/corrections",
        {"result": "pass"},
        content_type="application/json",
    )
    assert api.status_code == 422 and "reason" in api.json()["errors"]
    assert Evaluation.objects.get().result == "fail"
    assert not EvaluationCorrection.objects.exists()
    assert not AuditEntry.objects.filter(action="base.evaluation_correct").exists()


def test_page_and_api_correct_alike_and_a_stale_page_is_refused(base, manager, failed, users):
    admin = users["admin"]
    detail = client_for(admin).get(base.get_absolute_url())
    ((shown, form),) = detail.context["evaluations"]
    assert shown == failed
    assert form.initial == {"result": "fail", "comment": "课程不足", "revision": 0}
    page = reverse("bases:evaluation_correct", args=[base.pk, LAST_YEAR])
    assert page in detail.content.decode()

    posted = {"result": "pass", "comment": "课程达标", "reason": "录入错误", "revision": "0"}
    assert client_for(admin).post(page, posted).status_code == 302
    assert Evaluation.objects.get().result == "pass"
    # The same page posted again (a second tab, a colleague's stale page) is refused.
    again = client_for(admin).post(page, dict(posted, result="excellent"), follow=True)
    assert str(STALE) in again.content.decode()
    assert Evaluation.objects.get().result == "pass"
    with pytest.raises(ConcurrentChange):
        services.correct_evaluation(admin, base, LAST_YEAR, result="excellent", reason="x", seen=0)

    # The base's managers read the history on their page and in the API.
    managed = client_for(manager).get(base.get_absolute_url()).content.decode()
    assert "录入错误" in managed and "课程达标" in managed

    api = token_client(admin)
    url = f"/api/v1/bases/{base.pk}/evaluations/{LAST_YEAR}/corrections"
    stale = api.post(
        url, {"result": "excellent", "reason": "x", "revision": 0}, content_type="application/json"
    )
    assert stale.status_code == 409
    answer = api.post(
        url,
        {"result": "excellent", "comment": "复核", "reason": "复核优秀", "revision": 1},
        content_type="application/json",
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["result"], body["comment"], body["revision"]) == ("excellent", "复核", 2)
    assert [(c["from_result"], c["to_result"], c["reason"]) for c in body["corrections"]] == [
        ("fail", "pass", "录入错误"),
        ("pass", "excellent", "复核优秀"),
    ]
    assert body["corrections"][1]["corrected_by"] == admin.username
    listed = token_client(manager).get(f"/api/v1/bases/{base.pk}/evaluations").json()
    assert len(listed[0]["corrections"]) == 2
    missing = api.post(
        f"/api/v1/bases/{base.pk}/evaluations/{LAST_YEAR - 1}/corrections",
        {"result": "pass", "reason": "x"},
        content_type="application/json",
    )
    assert missing.status_code == 404
