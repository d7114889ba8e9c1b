"""Clauses as data: versions, the editor's checks with positions, YAML in and out, pages, API."""

import datetime

import pytest
import yaml
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for, token_client
from tests.measures.conftest import api_check_errors, future_text, next_text
from zhibiao.audit.models import AuditEntry
from zhibiao.measures import services
from zhibiao.measures.models import Clause, ClauseVersion

pytestmark = pytest.mark.django_db


def test_demo_rule_book_imported(rulebook):
    assert rulebook.clauses.count() == 18
    assert ClauseVersion.objects.filter(clause__rulebook=rulebook).count() == 19
    assert Clause.objects.get(code="FX23-CERT-MEASURE").mode == "auto"
    assert Clause.objects.get(code="FX23-STD-NAT-1").needs_review


def test_new_version_ends_the_previous_one(rulebook, users):
    clause = Clause.objects.get(code="FX23-BRAND")
    start = timezone.localdate() + datetime.timedelta(days=30)
    text = future_text(clause, start, title="获得“上海品牌”认证(新版)")
    version = services.publish_version(
        users["admin"], rulebook, text, clause=clause, change_note="新版"
    )
    assert version.number == 2
    previous = clause.versions.get(number=1)
    assert previous.effective_to == start - datetime.timedelta(days=1)
    assert yaml.safe_load(previous.source)["effective_to"] == previous.effective_to
    assert AuditEntry.objects.filter(action="clause.publish").count() == 1
    assert AuditEntry.objects.filter(action="clause.version_ended").count() == 1
    # The compiled set now holds both versions, each in its own period.
    compiled = services.clause_set(rulebook)
    assert {c.version for c in compiled if c.id == "FX23-BRAND"} == {1, 2}


def test_errors_carry_line_and_column_in_the_text(rulebook):
    clause = Clause.objects.get(code="FX23-BRAND")
    text = next_text(clause)
    broken = text.replace("registered_in_district", "registerd_in_district", 1)
    checked = services.check_version_text(rulebook, broken, clause=clause)
    assert checked.errors
    error = checked.errors[0]
    line = broken.splitlines()[error.line - 1]
    assert "registerd_in_district" in line  # the position points into the edited text
    assert "registered_in_district" in error.message  # and suggests the right name


def test_syntax_error_says_what_was_expected(rulebook):
    clause = Clause.objects.get(code="FX23-BRAND")
    text = next_text(clause).replace("amount: 300000", "amount: 300000 +", 1)
    errors = services.check_version_text(rulebook, text, clause=clause).errors
    assert any("expected" in e.message for e in errors)


def test_failing_example_refuses_publication(rulebook, users):
    clause = Clause.objects.get(code="FX23-BRAND")
    start = timezone.localdate()
    text = future_text(clause, start).replace("amount: 300000", "amount: 250000", 1)
    with pytest.raises(services.RuleTextInvalid) as caught:
        services.publish_version(users["admin"], rulebook, text, clause=clause)
    assert any(e.path == "examples" and "amount" in e.message for e in caught.value.errors)
    assert clause.versions.count() == 1


def test_version_number_and_id_are_checked(rulebook, users):
    clause = Clause.objects.get(code="FX23-BRAND")
    wrong = next_text(clause, version=7, id="OTHER")
    paths = {e.path for e in services.check_version_text(rulebook, wrong, clause=clause).errors}
    assert {"id", "version"} <= paths


def test_only_administrators_publish(rulebook, users):
    clause = Clause.objects.get(code="FX23-BRAND")
    with pytest.raises(PermissionDenied):
        services.publish_version(users["enterprise"], rulebook, next_text(clause), clause=clause)


def test_export_import_round_trip(rulebook, users):
    text = services.export_rulebook(rulebook)
    report = services.import_rulebook(users["admin"], rulebook.document, text)
    assert report.created == []
    assert len(report.unchanged) == 19
    changed = text.replace("amount: 300000", "amount: 350000", 1)
    with pytest.raises(services.RuleTextInvalid):
        services.import_rulebook(users["admin"], rulebook.document, changed)
    assert ClauseVersion.objects.count() == 19


def test_import_reports_positions(rulebook, users):
    text = services.export_rulebook(rulebook).replace("ownership ==", "ownershi ==", 1)
    with pytest.raises(services.RuleTextInvalid) as caught:
        services.import_rulebook(users["admin"], rulebook.document, text)
    error = caught.value.errors[0]
    assert "ownershi" in text.splitlines()[error.line - 1]


def test_public_pages(rulebook):
    listing = client_for(None).get(reverse("measures:clauses")).content.decode()
    assert "获得“上海品牌”认证" in listing
    page = client_for(None).get(reverse("measures:clause", args=["FX23-BRAND"]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "“上海品牌”认证证书" in body  # the evidence the clause asks for
    assert "免申即享" in body
    assert "Confirm and notify" not in body and "通知企业" not in body  # staff only
    assert client_for(None).get(reverse("measures:clause", args=["NOPE"])).status_code == 404


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("enterprise", 403), ("expert", 403)])
def test_editor_is_for_administrators(rulebook, users, role, status):
    url = reverse("measures:clause_edit", args=["FX23-BRAND"])
    assert client_for(users[role]).get(url).status_code == status
    check = client_for(users[role]).post(reverse("measures:clause_check"), {"text": "x"})
    assert check.status_code == status


def test_editor_live_check_and_publish(rulebook, users):
    admin = client_for(users["admin"])
    clause = Clause.objects.get(code="FX23-CMA")
    bad = next_text(clause).replace("credit_status", "credit_statu", 1)
    partial = admin.post(
        reverse("measures:clause_check"), {"text": bad, "clause": "FX23-CMA"}
    ).content.decode()
    assert "credit_statu" in partial and "<html" not in partial
    good = future_text(clause, timezone.localdate())
    ok = admin.post(reverse("measures:clause_check"), {"text": good, "clause": "FX23-CMA"})
    assert "alert-success" in ok.content.decode()
    response = admin.post(
        reverse("measures:clause_edit", args=["FX23-CMA"]), {"text": good, "change_note": "调整"}
    )
    assert response.status_code == 302
    assert clause.versions.count() == 2


def test_new_clause_from_template(rulebook, users):
    admin = client_for(users["admin"])
    page = admin.get(reverse("measures:clause_new") + f"?rulebook={rulebook.code}")
    text = page.context["form"].initial["text"]
    response = admin.post(
        reverse("measures:clause_new"), {"text": text, "rulebook": rulebook.code, "change_note": ""}
    )
    assert response.status_code == 302, response.context.get("errors")
    assert rulebook.clauses.count() == 19


def test_mine_page(demo, users, settings):
    from zhibiao.accounts.models import User

    settings.DEMO_MODE = True
    enterprise = User.objects.get(username="enterprise")
    page = client_for(enterprise).get(reverse("portal:mine"))
    body = page.content.decode()
    assert "通过测量管理体系认证" in body and "100,000" in body
    assert "参与制定国家标准、行业标准" in body
    assert "GB/T 99318" in body
    for role, status in (("admin", 403), ("expert", 403), ("provider", 403)):
        assert client_for(users[role]).get(reverse("portal:mine")).status_code == status
    assert client_for(None).get(reverse("portal:mine")).status_code == 302


def test_api_clauses_and_entitlements(demo, users, settings):
    from zhibiao.accounts.models import User
    from zhibiao.directory.models import Organisation

    settings.DEMO_MODE = True
    clauses = client_for(None).get("/api/v1/measures/clauses").json()
    assert clauses["count"] == 18
    one = client_for(None).get("/api/v1/measures/clauses/FX23-BRAND").json()
    assert one["definition"]["award"]["amount"] == 300000
    xianda = Organisation.objects.get(name="上海贤达精密机械有限公司")
    own = token_client(User.objects.get(username="enterprise"))
    body = own.get("/api/v1/measures/entitlements", {"organisation": xianda.pk}).json()
    results = {r["id"]: r for r in body[0]["explanation"]["results"]}
    assert results["FX23-CERT-MEASURE"]["entitled"] is True
    assert results["FX23-CERT-MEASURE"]["conditions"][0]["values"]
    other = token_client(users["provider"])
    assert (
        other.get("/api/v1/measures/entitlements", {"organisation": xianda.pk}).status_code == 404
    )
    assert (
        client_for(None)
        .get("/api/v1/measures/entitlements", {"organisation": xianda.pk})
        .status_code
        == 401
    )


def test_api_check_and_publish(rulebook, users):
    clause = Clause.objects.get(code="FX23-CMA")
    admin = token_client(users["admin"])
    assert api_check_errors(admin, "id: X\nversion: 1\ntitle: [", "FX23-CMA")[0]["line"]
    refused = token_client(users["enterprise"]).post(
        "/api/v1/measures/check", {"text": "x"}, content_type="application/json"
    )
    assert refused.status_code == 403
    text = future_text(clause, timezone.localdate() + datetime.timedelta(days=2))
    published = admin.post(
        "/api/v1/measures/clauses/FX23-CMA/versions",
        {"text": text},
        content_type="application/json",
    )
    assert published.status_code == 201
    invalid = admin.post(
        "/api/v1/measures/clauses/FX23-CMA/versions",
        {"text": text.replace("credit_status", "creditx")},
        content_type="application/json",
    )
    assert invalid.status_code == 422 and invalid.json()["errors"]


def test_a_later_start_needs_examples_in_the_new_period(rulebook):
    clause = Clause.objects.get(code="FX23-BRAND")
    text = next_text(clause, effective_from=timezone.localdate() + datetime.timedelta(days=30))
    errors = services.check_version_text(rulebook, text, clause=clause).errors
    assert any("effective period" in e.message for e in errors)


def test_no_retroactive_versions(rulebook, users):
    clause = Clause.objects.get(code="FX23-BRAND")
    text = next_text(clause, effective_from=datetime.date(2024, 1, 1))
    errors = services.check_version_text(rulebook, text, clause=clause).errors
    assert any(e.path == "effective_from" for e in errors)
    with pytest.raises(services.RuleTextInvalid):
        services.publish_version(users["admin"], rulebook, text, clause=clause)


def test_rule_commands_round_trip(rulebook, tmp_path):
    from django.core.management import CommandError, call_command

    target = tmp_path / "rules.yaml"
    call_command("export_rules", rulebook.code, output=target)
    call_command("import_rules", target, document=rulebook.document_id)
    assert ClauseVersion.objects.count() == 19
    target.write_text(target.read_text(encoding="utf-8").replace("ownership ==", "ownershp =="))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_rules", target, document=rulebook.document_id)
    with pytest.raises(CommandError, match="No rule book"):
        call_command("export_rules", "NOPE")
