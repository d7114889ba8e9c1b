"""Applications from draft to disbursement: the table of steps, its refusals, evidence,
conflicts of interest, objections, concurrency, and the same rules in pages and API."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from tests.applications.conftest import (
    _project,
    expert_reviews,
    pdf,
    quick_application,
    submit_with_evidence,
)
from tests.clients import client_for, token_client
from tests.factories import make_user
from tests.races import compete_after_check
from zhibiao.accounts.models import Role
from zhibiao.applications import services
from zhibiao.applications.models import Application, ApplicationStep, Status
from zhibiao.audit.models import AuditEntry
from zhibiao.committee.models import ConflictOfInterest
from zhibiao.core.errors import ConcurrentChange, TransitionRefused
from zhibiao.core.workflow import take
from zhibiao.measures.models import Clause

pytestmark = pytest.mark.django_db


def test_quick_application_is_prefilled_draft(people):
    application = quick_application(people)
    assert application.status == Status.DRAFT
    assert application.channel == "quick"
    assert application.amount_assessed == 50000
    assert application.project.startswith("GB/T 99318-")
    assert application.version.clause.code == "FX23-STD-NAT-2"
    assert application.assessment["entitled"] is True
    assert application.number.startswith("SB")


def test_submit_needs_the_evidence(people):
    application = quick_application(people)
    with pytest.raises(TransitionRefused, match="缺少必需的申报材料"):
        take(people["enterprise"], application, "submit")
    assert Application.objects.get(pk=application.pk).status == Status.DRAFT


def test_whole_path_to_disbursement(people):
    application = submit_with_evidence(people, quick_application(people))
    admin, expert = people["admin"], people["expert"]
    with pytest.raises(TransitionRefused):  # the review comes first
        take(admin, application, "start_publicity")
    take(admin, application, "accept")
    services.assign_reviewers(admin, application, [expert])
    with pytest.raises(TransitionRefused):  # the review is not in yet
        take(admin, application, "start_publicity")
    review = application.reviews.get()
    services.submit_review(expert, review, score=88, recommendation="approve", comment="材料齐全")
    take(admin, application, "start_publicity")
    take(admin, application, "approve")
    application = take(admin, application, "disburse", payment_reference="PAY-001")
    assert application.status == Status.DISBURSED
    assert application.amount_approved == 50000
    steps = list(application.steps.values_list("from_status", "to_status", "actor__username"))
    assert steps == [
        ("draft", "submitted", "enterprise"),
        ("submitted", "in_review", "admin"),
        ("in_review", "publicity", "admin"),
        ("publicity", "approved", "admin"),
        ("approved", "disbursed", "admin"),
    ]
    assert (
        AuditEntry.objects.filter(
            target_id=str(application.pk), action__startswith="application."
        ).count()
        >= 7
    )


def test_auto_confirmation_skips_form_and_review(people):
    clause = Clause.objects.get(code="FX23-CERT-MEASURE")
    application = services.start_application(
        people["enterprise"], people["xianda"], clause, project=_project(people, clause)
    )
    assert application.channel == "auto" and application.status == Status.SUBMITTED
    with pytest.raises(TransitionRefused):
        take(people["admin"], application, "accept")
    take(people["admin"], application, "start_publicity")
    assert Application.objects.get(pk=application.pk).status == Status.PUBLICITY


def test_not_entitled_cannot_confirm(people):
    clause = Clause.objects.get(code="FX23-BRAND")
    with pytest.raises(TransitionRefused):
        services.start_application(people["enterprise"], people["xianda"], clause)


def test_illegal_steps_are_refused_with_the_reason(people):
    application = quick_application(people)
    with pytest.raises(TransitionRefused, match="草稿"):
        take(people["admin"], application, "approve")
    with pytest.raises(PermissionDenied):  # an enterprise cannot accept its own application
        take(people["enterprise"], application, "accept")
    submitted = submit_with_evidence(people, application)
    with pytest.raises(ValidationError):  # a return needs a reason
        take(people["admin"], submitted, "return")
    with pytest.raises(TransitionRefused):
        take(people["admin"], application, "no_such_step")


def test_someone_elses_application_is_invisible(people, users):
    application = quick_application(people)
    with pytest.raises(PermissionDenied):
        take(users["enterprise"], application, "withdraw")
    assert client_for(users["enterprise"]).get(application.get_absolute_url()).status_code == 404
    assert client_for(users["expert"]).get(application.get_absolute_url()).status_code == 404
    assert client_for(people["enterprise"]).get(application.get_absolute_url()).status_code == 200
    assert client_for(people["admin"]).get(application.get_absolute_url()).status_code == 200
    assert client_for(None).get(application.get_absolute_url()).status_code == 302


def test_expert_with_conflict_is_refused(people):
    application = submit_with_evidence(people, quick_application(people))
    take(people["admin"], application, "accept")
    ConflictOfInterest.objects.create(
        expert=people["expert"], organisation=people["xianda"], reason="亲属任职"
    )
    with pytest.raises(ValidationError, match="利益冲突"):
        services.assign_reviewers(people["admin"], application, [people["expert"]])
    assert not application.reviews.exists()


def test_expert_of_the_same_organisation_is_never_offered(people):
    from zhibiao.committee.services import eligible_experts

    own_expert = make_user(Role.EXPERT, people["xianda"])
    assert own_expert not in eligible_experts(people["xianda"].pk)


def test_conflict_declared_after_assignment_still_bars_the_review(people):
    application = submit_with_evidence(people, quick_application(people))
    take(people["admin"], application, "accept")
    services.assign_reviewers(people["admin"], application, [people["expert"]])
    ConflictOfInterest.objects.create(
        expert=people["expert"], organisation=people["xianda"], reason="新任职"
    )
    with pytest.raises(PermissionDenied):
        expert_reviews(people, application, score=90, comment="x")


def test_review_input_is_checked(people):
    application = submit_with_evidence(people, quick_application(people))
    take(people["admin"], application, "accept")
    services.assign_reviewers(people["admin"], application, [people["expert"]])
    with pytest.raises(ValidationError) as caught:
        expert_reviews(people, application, score=120, recommendation="maybe", comment="")
    assert set(caught.value.message_dict) == {"score", "recommendation", "comment"}


def test_upheld_objection_rejects(people, users):
    clause = Clause.objects.get(code="FX23-CERT-MEASURE")
    application = services.start_application(
        people["enterprise"], people["xianda"], clause, project=_project(people, clause)
    )
    from django.test import override_settings

    with override_settings(PUBLICITY_WORKING_DAYS=5):
        take(people["admin"], application, "start_publicity")
    with pytest.raises(ValidationError) as caught:  # a statement, not a file store
        services.file_objection(users["provider"], application, "撤" * 5001)
    assert "5000" in caught.value.message_dict["text"][0]
    objection = services.file_objection(users["provider"], application, "证书已被撤销")
    with pytest.raises(ValidationError) as caught:
        services.resolve_objection(people["admin"], objection, resolution="upheld", note=" ")
    assert set(caught.value.message_dict) == {"note"}
    with pytest.raises(TransitionRefused):  # the notice still runs
        take(people["admin"], application, "approve")
    services.resolve_objection(
        people["admin"], objection, resolution="upheld", note="经核实证书已撤销"
    )
    assert Application.objects.get(pk=application.pk).status == Status.REJECTED


def test_evidence_type_by_content_and_superseding(people):
    application = quick_application(people)
    item = services.required_evidence(application)[0]
    fake = SimpleUploadedFile("证明.pdf", b"MZ\x90\x00 not a pdf at all" * 10)
    with pytest.raises(ValidationError) as caught:
        services.add_evidence(people["enterprise"], application, item, fake)
    assert "file" in caught.value.message_dict
    first = services.add_evidence(people["enterprise"], application, item, pdf("a.pdf"))
    second = services.add_evidence(people["enterprise"], application, item, pdf("b.pdf"))
    first.refresh_from_db()
    assert first.superseded_by == second  # kept, not deleted
    with pytest.raises(ValidationError):
        services.add_evidence(people["enterprise"], application, "不存在的材料", pdf())


def test_evidence_download_is_private(people, users):
    application = quick_application(people)
    evidence = services.add_evidence(
        people["enterprise"], application, services.required_evidence(application)[0], pdf()
    )
    url = reverse("applications:evidence", args=[evidence.pk])
    assert client_for(people["enterprise"]).get(url).status_code == 200
    assert client_for(users["enterprise"]).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_steps_exactly_one_wins(industries, people):
    """Two staff act on the same application at once: one succeeds, the other is refused."""
    application = submit_with_evidence(people, quick_application(people))
    admin = people["admin"]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(action: str, **kwargs):
        from django.db import connections

        stale = Application.objects.get(pk=application.pk)
        barrier.wait()
        try:
            take(admin, stale, action, **kwargs)
            outcomes.append("ok")
        except ConcurrentChange:
            outcomes.append("conflict")
        except Exception as error:  # any other failure is a test failure, reported below
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=("accept",)),
        threading.Thread(target=act, args=("reject",), kwargs={"reason": "不符合"}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert ApplicationStep.objects.filter(application=application).count() == 2  # submit + one


def test_pages_walk(people, users):
    enterprise = client_for(people["enterprise"])
    response = enterprise.post(
        reverse("applications:start"),
        {
            "clause": "FX23-STD-NAT-2",
            "project": _project(people, Clause.objects.get(code="FX23-STD-NAT-2")),
        },
    )
    application = Application.objects.get(enterprise=people["xianda"])
    assert response["Location"] == application.get_absolute_url()
    page = enterprise.get(application.get_absolute_url()).content.decode()
    assert 'data-step="submit"' not in page  # the evidence is missing: not offered
    assert 'data-step="withdraw"' in page
    item = services.required_evidence(application)[0]
    enterprise.post(
        reverse("applications:upload", args=[application.pk]), {"item": item, "file": pdf()}
    )
    for rest in services.required_evidence(application)[1:]:
        enterprise.post(
            reverse("applications:upload", args=[application.pk]), {"item": rest, "file": pdf()}
        )
    page = enterprise.get(application.get_absolute_url()).content.decode()
    assert 'data-step="submit"' in page
    enterprise.post(reverse("applications:step", args=[application.pk]), {"action": "submit"})
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED
    refused = enterprise.post(
        reverse("applications:step", args=[application.pk]), {"action": "accept"}, follow=True
    )
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED
    assert refused.status_code == 403
    other = client_for(users["enterprise"])
    assert (
        other.post(
            reverse("applications:step", args=[application.pk]), {"action": "withdraw"}
        ).status_code
        == 404
    )


def test_api_steps_and_409(people, users):
    own = token_client(people["enterprise"])
    clause = Clause.objects.get(code="FX23-STD-NAT-2")
    created = own.post(
        "/api/v1/applications",
        {"clause": clause.code, "project": _project(people, clause)},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    # Without its evidence the draft cannot be submitted: the API does not offer it.
    assert body["status"] == "draft" and body["next_steps"] == ["withdraw"]
    application_id = body["id"]
    refused = own.post(
        f"/api/v1/applications/{application_id}/transitions",
        {"action": "submit"},
        content_type="application/json",
    )
    assert refused.status_code == 409 and "detail" in refused.json()
    upload = own.post(
        f"/api/v1/applications/{application_id}/evidence",
        {
            "item": services.required_evidence(Application.objects.get(pk=application_id))[0],
            "file": pdf(),
        },
    )
    assert upload.status_code == 201
    admin = token_client(people["admin"])
    illegal = admin.post(
        f"/api/v1/applications/{application_id}/transitions",
        {"action": "approve"},
        content_type="application/json",
    )
    assert illegal.status_code == 409
    forbidden = own.post(
        f"/api/v1/applications/{application_id}/transitions",
        {"action": "accept"},
        content_type="application/json",
    )
    assert forbidden.status_code == 403
    assert (
        token_client(users["enterprise"]).get(f"/api/v1/applications/{application_id}").status_code
        == 404
    )
    assert client_for(None).get("/api/v1/applications").status_code == 401
    listing = admin.get("/api/v1/applications").json()
    assert listing["count"] == Application.objects.count() > 1  # staff see the demo's too
    assert own.get("/api/v1/applications").json()["count"] == 1  # the enterprise its own
    duplicate = own.post(
        "/api/v1/applications",
        {"clause": clause.code, "project": _project(people, clause)},
        content_type="application/json",
    )
    assert duplicate.status_code in (409, 422)


def _in_publicity(people) -> Application:
    """A certificate claim that staff put on public notice (straight from the draft)."""
    clause = Clause.objects.get(code="FX23-CERT-MEASURE")
    application = services.start_application(
        people["enterprise"], people["xianda"], clause, project=_project(people, clause)
    )
    with override_settings(PUBLICITY_WORKING_DAYS=5):
        return take(people["admin"], application, "start_publicity")


def test_publicity_page_is_public(people):
    application = _in_publicity(people)
    body = client_for(None).get(reverse("applications:publicity")).content.decode()
    assert "上海贤达精密机械有限公司" in body and application.number in body


def test_the_public_notice_exports_what_it_shows(people):
    import io

    from openpyxl import load_workbook

    application = _in_publicity(people)
    response = client_for(None).get(reverse("applications:publicity") + "?format=xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    shown = Application.objects.filter(status=Status.PUBLICITY)
    assert [row[0] for row in rows[1:]] == list(shown.values_list("number", flat=True))
    assert (
        application.number in {row[0] for row in rows} and rows[1][1] == "上海贤达精密机械有限公司"
    )


def test_two_starts_of_the_same_claim_at_once_get_the_constraints_message(people, monkeypatch):
    """The second of two simultaneous starts meets the database's constraint after its own
    check passed: it is told so by the constraint's message, not a server error."""
    clause = Clause.objects.get(code="FX23-STD-NAT-2")
    fields = ["enterprise", "clause", "version", "channel", "year", "project", "created_by"]
    compete_after_check(
        monkeypatch,
        Application,
        lambda mine: Application.objects.create(
            number="SB-RACE", **{f: getattr(mine, f) for f in fields}
        ),
    )
    with pytest.raises(ValidationError) as caught:
        services.start_application(
            people["enterprise"], people["xianda"], clause, project=_project(people, clause)
        )
    named = next(
        c for c in Application._meta.constraints if c.name == "applications_one_live_per_project"
    )
    assert caught.value.messages == [str(named.violation_error_message)]
