"""Importing a rule book's file publishes as the editor does (found in a review): a new version
of a clause in force starts today or later and ends the one before, a 免申即享 clause keeps
reading independent facts only, a file that would leave the rule book unreadable is refused
whole, and a change to the header alone is on record."""

import datetime

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for
from tests.measures.conftest import _redate, future_text
from zhibiao.audit.models import AuditEntry
from zhibiao.measures import services
from zhibiao.measures.models import Clause, Mode

pytestmark = pytest.mark.django_db


def _file_with(rulebook, clause_code, new_text, *, drop_old=True):
    data = yaml.safe_load(services.export_rulebook(rulebook))
    clauses = data["clauses"]
    if drop_old:
        clauses = [c for c in clauses if c["id"] != clause_code]
    data["clauses"] = [*clauses, yaml.safe_load(new_text)]
    return services.dump_yaml(data)


def _import_page(users, rulebook, text):
    return client_for(users["admin"]).post(
        reverse("measures:rulebook_import", args=[rulebook.code]),
        {"file": SimpleUploadedFile("规则.yaml", text.encode())},
    )


def test_a_new_version_ends_the_one_in_force_and_the_book_stays_readable(rulebook, users):
    clause = Clause.objects.get(code="FX23-BRAND")
    start = timezone.localdate() + datetime.timedelta(days=30)
    report = services.import_rulebook(
        users["admin"],
        rulebook.document,
        _file_with(rulebook, clause.code, future_text(clause, start)),
    )
    assert report.created == ["FX23-BRAND v2"]
    assert clause.versions.get(number=1).effective_to == start - datetime.timedelta(days=1)
    rulebook.refresh_from_db()
    assert services.clause_set(rulebook).get("FX23-BRAND").version == 2


def test_a_retroactive_version_is_refused_and_nothing_is_written(rulebook, users):
    clause = Clause.objects.get(code="FX23-BRAND")
    ends = clause.versions.get().effective_to
    start = timezone.localdate() - datetime.timedelta(days=10)
    with pytest.raises(services.RuleTextInvalid):
        services.import_rulebook(
            users["admin"],
            rulebook.document,
            _file_with(rulebook, clause.code, future_text(clause, start)),
        )
    assert clause.versions.count() == 1 and clause.versions.get().effective_to == ends


def test_a_free_clause_keeps_reading_independent_facts_only(rulebook, users):
    auto = Clause.objects.get(code="FX23-CERT-MEASURE")
    assert auto.mode == Mode.AUTO
    data = yaml.safe_load(Clause.objects.get(code="FX23-STD-GROUP").versions.get().source)
    data.update(
        id=auto.code, version=2, effective_from=datetime.date(2028, 5, 27), effective_to=None
    )
    for example in data.get("examples", []):
        example["as_of"] = datetime.date(2028, 6, 1)
        example["facts"] = _redate(example["facts"], 5)
    page = _import_page(users, rulebook, _file_with(rulebook, auto.code, services.dump_yaml(data)))
    assert page.status_code == 200 and page.context["errors"]
    assert not auto.versions.filter(number=2).exists()


def test_a_change_to_the_header_alone_is_on_record(rulebook, users):
    data = yaml.safe_load(services.export_rulebook(rulebook))
    data["near_miss"] = 3
    assert _import_page(users, rulebook, services.dump_yaml(data)).status_code == 302
    entry = AuditEntry.objects.filter(action="rulebook.import").latest("pk")
    assert entry.data["header_changed"] is True and entry.data["created"] == []


def test_a_change_note_longer_than_its_column_is_refused_by_field(rulebook, users):
    from tests.clients import token_client

    clause = Clause.objects.get(code="FX23-CMA")
    text = future_text(clause, timezone.localdate() + datetime.timedelta(days=2))
    answer = token_client(users["admin"]).post(
        "/api/v1/measures/clauses/FX23-CMA/versions",
        {"text": text, "change_note": "改" * 301},
        content_type="application/json",
    )
    assert answer.status_code == 422 and "change_note" in answer.json()["errors"]
    assert clause.versions.count() == 1


def test_a_rule_file_nested_too_deeply_is_refused_with_a_message(rulebook, users):
    versions = {clause.code: clause.versions.count() for clause in Clause.objects.all()}
    answer = _import_page(users, rulebook, "[" * 100_000)
    assert answer.status_code == 200
    assert "nested too deeply" in answer.content.decode() or "嵌套" in answer.content.decode()
    assert {clause.code: clause.versions.count() for clause in Clause.objects.all()} == versions
