"""Scenarios: drafts checked as the clause editor checks them, documents not in force refused,
two staff cannot overwrite each other, saving keeps the figures, publishing creates the
versions; staff only."""

from __future__ import annotations

import datetime

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for, token_client
from tests.factories import measures_rulebook
from tests.whatif.helpers import higher_amount, tighter_condition
from zhibiao.audit.models import AuditEntry
from zhibiao.core.errors import ConcurrentChange, TransitionRefused
from zhibiao.measures import services as measures
from zhibiao.measures.models import Clause, ClauseVersion
from zhibiao.whatif import services
from zhibiao.whatif.models import Draft, Scenario, ScenarioStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def rulebook(db):
    return measures_rulebook()


@pytest.fixture
def brand(rulebook):
    return Clause.objects.get(code="FX23-BRAND")


@pytest.fixture
def scenario(rulebook, users):
    return services.start_scenario(users["admin"], rulebook, title="品牌奖励提高")


def _messages(error: ValidationError) -> list[str]:
    return sorted(error.messages)


def test_a_draft_is_refused_as_the_clause_editor_refuses_it(scenario, brand, users):
    broken = higher_amount(brand, 300000, 400000).replace("award:", "award: [", 1)
    failing = higher_amount(brand, 300000, 400000).replace("amount: 400000\n", "amount: 1\n", 1)
    for text in (broken, failing):
        with pytest.raises(services.DraftInvalid) as refused:
            services.set_draft(users["admin"], scenario, revision=0, clause=brand, text=text)
        with pytest.raises(measures.RuleTextInvalid) as editor:
            measures.publish_version(users["admin"], brand.rulebook, text, clause=brand)
        assert _messages(refused.value) == _messages(editor.value)
    assert "fails" in " ".join(_messages(refused.value)) or refused.value.errors
    assert not scenario.drafts.exists()
    assert Scenario.objects.get(pk=scenario.pk).revision == 0  # nothing half-saved


def test_a_document_not_published_or_not_in_force_says_so(rulebook, users):
    document = rulebook.document
    document.is_published = False
    document.save()
    with pytest.raises(ValidationError) as refused:
        services.start_scenario(users["admin"], rulebook, title="x")
    assert document.title in refused.value.messages[0]
    document.is_published = True
    document.effective_to = timezone.localdate() - datetime.timedelta(days=1)
    document.save()
    with pytest.raises(ValidationError):
        services.start_scenario(users["admin"], rulebook, title="x")
    admin = client_for(users["admin"])
    page = admin.get(reverse("whatif:start") + f"?rulebook={rulebook.code}")
    assert page.status_code == 200
    assert document.title in page.content.decode()
    assert not Scenario.objects.exists()


def test_two_staff_cannot_overwrite_each_other(scenario, brand, users):
    text = higher_amount(brand, 300000, 400000)
    services.set_draft(users["admin"], scenario, revision=0, clause=brand, text=text)
    stale = Scenario.objects.get(pk=scenario.pk)
    with pytest.raises(ConcurrentChange):
        services.set_draft(users["admin"], stale, revision=0, clause=brand, text=text)
    with pytest.raises(ConcurrentChange):
        services.save_scenario(users["admin"], stale, comment="先保存", revision=0)
    # the page with the stale revision says so instead of overwriting
    admin = client_for(users["admin"])
    response = admin.post(
        reverse("whatif:draft", args=[scenario.pk, brand.code]),
        {"text": text, "revision": 0},
        follow=True,
    )
    assert "Someone else changed this scenario" in response.content.decode() or (
        "重新" in response.content.decode()
    )
    assert Scenario.objects.get(pk=scenario.pk).revision == 1


def test_save_keeps_figures_and_publish_creates_versions(scenario, brand, org, users):
    admin = users["admin"]
    national = Clause.objects.get(code="FX23-STD-NAT-2")
    services.set_draft(
        admin, scenario, revision=0, clause=brand, text=higher_amount(brand, 300000, 400000)
    )
    services.set_draft(
        admin, scenario, revision=1, clause=national, text=tighter_condition(national)
    )
    with pytest.raises(ValidationError):
        services.save_scenario(admin, scenario, comment="  ", revision=2)
    saved = services.save_scenario(admin, scenario, comment="品牌提高、国标收紧", revision=2)
    assert saved.status == ScenarioStatus.SAVED
    assert saved.figures["enterprises"] >= 1
    assert {row["code"] for row in saved.figures["clauses"]} >= {brand.code, national.code}
    # saved: frozen
    with pytest.raises(TransitionRefused):
        services.drop_draft(admin, saved, code=brand.code, revision=saved.revision)
    published = services.publish_scenario(admin, saved, revision=saved.revision)
    assert published.status == ScenarioStatus.PUBLISHED
    version = ClauseVersion.objects.get(clause=brand, number=2)
    assert yaml.safe_load(version.source)["award"]["amount"] == 400000
    assert ClauseVersion.objects.filter(clause=national, number=2).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"scenario.save", "scenario.publish", "clause.publish"} <= actions


def test_publishing_is_refused_whole_when_a_version_was_published_meanwhile(scenario, brand, users):
    admin = users["admin"]
    text = higher_amount(brand, 300000, 400000)
    services.set_draft(admin, scenario, revision=0, clause=brand, text=text)
    saved = services.save_scenario(admin, scenario, comment="c", revision=1)
    measures.publish_version(admin, brand.rulebook, text, clause=brand)  # someone else's v2
    with pytest.raises((TransitionRefused, ValidationError)):
        services.publish_scenario(admin, saved, revision=saved.revision)
    assert Scenario.objects.get(pk=saved.pk).status == ScenarioStatus.SAVED
    assert brand.versions.count() == 2


def test_only_staff(scenario, brand, users):
    for role in ("enterprise", "expert"):
        with pytest.raises(PermissionDenied):
            services.set_draft(users[role], scenario, revision=0, clause=brand, text="x")
        with pytest.raises(PermissionDenied):
            services.start_scenario(users[role], scenario.rulebook, title="x")
        page = client_for(users[role]).get(reverse("whatif:scenario", args=[scenario.pk]))
        assert page.status_code == 403
        api = token_client(users[role]).get(f"/api/v1/scenarios/{scenario.pk}")
        assert api.status_code == 403


def test_api_creates_all_or_nothing(rulebook, brand, org, users):
    api = token_client(users["admin"])
    good = higher_amount(brand, 300000, 400000)
    bad = good.replace("amount: 400000\n", "amount: 1\n", 1)
    response = api.post(
        "/api/v1/scenarios",
        {"rulebook": rulebook.code, "title": "坏", "drafts": [{"clause": brand.code, "text": bad}]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "drafts.0.text" in response.json()["errors"]
    assert not Scenario.objects.exists()
    response = api.post(
        "/api/v1/scenarios",
        {
            "rulebook": rulebook.code,
            "title": "好",
            "drafts": [{"clause": brand.code, "text": good}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["drafts"][0]["code"] == brand.code
    impact = api.get(f"/api/v1/scenarios/{created['id']}/impact").json()
    assert impact["figures"]["enterprises"] >= 1
    assert set(impact) >= {"gainers", "losers", "figures"}


def test_api_lists_scenarios_newest_first_a_page_at_a_time(rulebook, brand, users):
    api = token_client(users["admin"])
    good = higher_amount(brand, 300000, 400000)
    for title in ("一", "二", "三"):
        created = api.post(
            "/api/v1/scenarios",
            {
                "rulebook": rulebook.code,
                "title": title,
                "drafts": [{"clause": brand.code, "text": good}],
            },
            content_type="application/json",
        )
        assert created.status_code == 201, created.content
    page = api.get("/api/v1/scenarios?limit=2").json()
    assert page["count"] == 3
    assert [row["title"] for row in page["items"]] == ["三", "二"]
    assert page["items"][0]["drafts"][0]["code"] == brand.code
    assert (
        page["items"][0]["rulebook"] == rulebook.code
        and page["items"][0]["author"] == users["admin"].username
    )
    rest = api.get("/api/v1/scenarios?limit=2&offset=2").json()
    assert [row["title"] for row in rest["items"]] == ["一"]


def _create(api, rulebook, drafts: list[dict]):
    return api.post(
        "/api/v1/scenarios",
        {"rulebook": rulebook.code, "title": "t", "drafts": drafts},
        content_type="application/json",
    )


def test_api_refuses_a_clause_drafted_twice_or_unknown_naming_the_draft(rulebook, brand, users):
    api = token_client(users["admin"])
    first = higher_amount(brand, 300000, 400000)
    second = higher_amount(brand, 300000, 500000)
    twice = [{"clause": brand.code, "text": first}, {"clause": brand.code, "text": second}]
    response = _create(api, rulebook, twice)
    assert response.status_code == 422, response.content
    assert list(response.json()["errors"]) == ["drafts.1.clause"]
    response = _create(api, rulebook, [{"clause": "NO-SUCH", "text": first}])
    assert response.status_code == 422, response.content
    assert list(response.json()["errors"]) == ["drafts.0.clause"]
    english = api.post(
        "/api/v1/scenarios",
        {"rulebook": rulebook.code, "title": "t", "drafts": [{"clause": "NO-SUCH"}]},
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert english.json()["errors"]["drafts.0.clause"] == ["No clause NO-SUCH in this rule book."]
    assert not Scenario.objects.exists()
    assert not Draft.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="scenario.").exists()


def test_api_files_each_problem_under_its_draft_and_field(rulebook, brand, users):
    api = token_client(users["admin"])
    bad = higher_amount(brand, 300000, 400000).replace("amount: 400000\n", "amount: 1\n", 1)
    response = _create(
        api,
        rulebook,
        [
            {"clause": None, "removed": True},  # the service names `removed`
            {"clause": brand.code, "text": bad},  # the editor's check: the text
        ],
    )
    assert response.status_code == 422, response.content
    assert set(response.json()["errors"]) == {"drafts.0.removed", "drafts.1.text"}
    assert not Scenario.objects.exists()


def test_a_new_clause_drafted_twice_is_refused(rulebook, users):
    # Two drafts of one new clause (named by the text's id) would overwrite each other too.
    new = services.initial_text(rulebook, None)
    assert not services.check_draft(rulebook, new, None).errors
    drafts = [services.NewDraft(text=new), services.NewDraft(text=new)]
    with pytest.raises(ValidationError) as refused:
        services.start_scenario_with_drafts(users["admin"], rulebook, title="t", drafts=drafts)
    assert list(refused.value.message_dict) == ["drafts.1.text"]
    assert not Scenario.objects.exists()


def test_api_creation_with_drafts_is_one_audit_entry(rulebook, brand, users):
    national = Clause.objects.get(code="FX23-STD-NAT-2")
    api = token_client(users["admin"])
    response = _create(
        api,
        rulebook,
        [
            {"clause": brand.code, "text": higher_amount(brand, 300000, 400000)},
            {"clause": national.code, "text": tighter_condition(national)},
        ],
    )
    assert response.status_code == 201, response.content
    created = Scenario.objects.get(pk=response.json()["id"])
    assert sorted(created.drafts.values_list("code", flat=True)) == [brand.code, national.code]
    entries = AuditEntry.objects.filter(action__startswith="scenario.")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.action == "scenario.start" and entry.target_id == str(created.pk)
    assert {d["code"] for d in entry.data["drafts"]} == {brand.code, national.code}
    # the drafts went in as set_draft writes them: the page edits the scenario from here
    services.set_draft(
        users["admin"],
        created,
        revision=created.revision,
        clause=brand,
        text=higher_amount(brand, 300000, 500000),
    )


def test_api_body_refuses_a_nul_and_an_unknown_field_by_name(rulebook, brand, users):
    """The scenario's body is a Payload like every other: a NUL in the title (a server error
    on PostgreSQL) and a misspelt field (`draft` for `drafts`, silently dropped: the client
    believed it had drafted) are a 422 naming the field; a NUL in the rule text is the YAML
    check's, with its line and column."""
    api = token_client(users["admin"])
    removal = [{"clause": brand.code, "removed": True}]
    answer = api.post(
        "/api/v1/scenarios",
        {"rulebook": rulebook.code, "title": "a\x00b", "drafts": removal},
        content_type="application/json",
    )
    assert answer.status_code == 422, answer.content
    assert list(answer.json()["errors"]) == ["title"]
    answer = api.post(
        "/api/v1/scenarios",
        {"rulebook": rulebook.code, "title": "t", "draft": removal},
        content_type="application/json",
    )
    assert answer.status_code == 422, answer.content
    assert list(answer.json()["errors"]) == ["draft"]
    answer = _create(api, rulebook, [{"clause": brand.code, "removed": True, "remove": True}])
    assert answer.status_code == 422, answer.content
    assert list(answer.json()["errors"]) == ["drafts.0.remove"]
    answer = _create(api, rulebook, [{"clause": None, "text": "id: a\x00b"}])
    assert answer.status_code == 422, answer.content
    assert "U+0000" in answer.json()["errors"]["drafts.0.text"][0]
    assert not Scenario.objects.exists()
    # a rule text longer than the usual bound of a body's text is still taken
    long_text = higher_amount(brand, 300000, 400000) + "#" * 30_000 + "\n"
    answer = _create(api, rulebook, [{"clause": brand.code, "text": long_text}])
    assert answer.status_code == 201, answer.content


def test_renaming_a_new_clause_on_its_page_renames_its_draft(rulebook, users):
    """A new clause is named by its text's id: an edit that changes the id keeps one draft,
    under the new id, instead of leaving the old one to count beside it."""
    scenario = services.start_scenario(users["admin"], rulebook, title="新条款")
    first = services.initial_text(rulebook, None)
    old_id = yaml.safe_load(first)["id"]
    services.set_draft(users["admin"], scenario, revision=0, text=first)
    renamed = first.replace(f"id: {old_id}", "id: FX23-NEW-RENAMED", 1)
    assert renamed != first

    page = client_for(users["admin"]).post(
        reverse("whatif:draft", args=[scenario.pk, old_id]),
        {"text": renamed, "revision": 1},
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    assert list(scenario.drafts.values_list("code", flat=True)) == ["FX23-NEW-RENAMED"]

    # Renamed onto a new clause drafted already: refused, nothing changed.
    services.set_draft(users["admin"], scenario, revision=2, text=first)
    with pytest.raises(ValidationError, match="FX23-NEW-RENAMED"):
        services.set_draft(users["admin"], scenario, revision=3, text=renamed, was=old_id)
    assert sorted(scenario.drafts.values_list("code", flat=True)) == sorted(
        [old_id, "FX23-NEW-RENAMED"]
    )
