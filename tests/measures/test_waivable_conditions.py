"""The mark `waivable: false` on a condition (no evidence changes it) through the clerk's
tools: the editor's starting text, a new version, the export and the clause's page."""

import datetime

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for
from tests.measures.conftest import future_text
from zhibiao.measures import services
from zhibiao.measures.models import Clause

pytestmark = pytest.mark.django_db

#: The demo measures' general conditions, and whether a near miss may waive each.
GENERAL = [
    ('ownership == "民营"', False),
    ("registered_in_district", False),
    ('credit_status != "严重违法失信"', False),
    ("tax_paid_district > 0", True),
]


def _marks(clause_set, code: str) -> list[tuple[str, bool]]:
    latest = max((c for c in clause_set if c.id == code), key=lambda c: c.version)
    return [(c.expr.source, c.waivable) for c in latest.conditions]


def test_the_editor_and_a_new_version_keep_the_mark(rulebook, users):
    clause = Clause.objects.get(code="FX23-BRAND")
    draft = yaml.safe_load(services.draft_text(rulebook, clause))
    assert [c.get("waivable", True) for c in draft["conditions"]] == [m for _e, m in GENERAL]
    assert _marks(services.clause_set(rulebook), "FX23-BRAND") == GENERAL
    start = timezone.localdate() + datetime.timedelta(days=30)
    services.publish_version(users["admin"], rulebook, future_text(clause, start), clause=clause)
    assert _marks(services.clause_set(rulebook), "FX23-BRAND") == GENERAL
    version = clause.versions.order_by("-number").first()
    assert [c.get("waivable", True) for c in yaml.safe_load(version.source)["conditions"]] == [
        m for _e, m in GENERAL
    ]


def test_the_export_keeps_the_mark(rulebook):
    exported = yaml.safe_load(services.export_rulebook(rulebook))
    brand = next(c for c in exported["clauses"] if c["id"] == "FX23-BRAND")
    assert [c.get("waivable", True) for c in brand["conditions"]] == [m for _e, m in GENERAL]


def test_a_new_clause_starts_with_its_fixed_conditions_marked(rulebook):
    draft = yaml.safe_load(services.draft_text(rulebook, None))
    assert [c.get("waivable") for c in draft["conditions"]] == [False, False]


def test_the_clause_page_says_which_conditions_no_evidence_replaces(rulebook, users):
    url = reverse("measures:clause", args=["FX23-BRAND"])
    page = client_for(None).get(url).content.decode()
    conditions = page[page.index("<ol>") : page.index("</ol>")]
    assert conditions.count("not-waivable") == 3  # ownership, registration, credit
    staff = client_for(users["admin"]).get(url).content.decode()
    assert staff.count("<code>waivable: false</code>") == 3
    assert "waivable: false" not in page  # the rule text is for staff only
