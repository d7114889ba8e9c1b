"""What a near miss is offered as, from small rule books of its own: each near miss measured
as its application will be (one clause waived at a time), and a clause paid per record without
a project key applied for as a whole, with the whole as its ceiling."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import (
    OrganisationFactory,
    PolicyDocumentFactory,
    StandardDraftingFactory,
    make_user,
)
from zhibiao.applications import services
from zhibiao.applications.services.claims import approval_ceiling
from zhibiao.measures import services as measures
from zhibiao.measures.models import Clause

pytestmark = pytest.mark.django_db

HEADER = """
format: zhibiao-rules/1
document: {id: %s, title: 测试措施}
near_miss: 1
"""

TWO_UNDER_ONE_CAP = (
    HEADER % "ZZ-CAP"
    + """caps:
  per_category: {max_count: 1}
clauses:
  - id: ZZ-A
    version: 1
    title: 甲
    category: 测试
    effective_from: 2020-01-01
    conditions:
      - {label: 纳税过亿, expr: tax_paid_district > 100000000}
    award: {amount: 50000}
  - id: ZZ-B
    version: 1
    title: 乙
    category: 测试
    effective_from: 2020-01-01
    conditions:
      - {label: 纳税过亿零一, expr: tax_paid_district > 100000001}
    award: {amount: 30000}
"""
)

PER_RECORD = (
    HEADER % "ZZ-EACH"
    + """clauses:
  - id: ZZ-EACH
    version: 1
    title: 每项标准
    category: 测试
    effective_from: 2020-01-01
    conditions:
      - {label: 纳税过亿, expr: tax_paid_district > 100000000}
    award:
      each: standards
      where: rank == 1
      amount: 10000
      item_label: code
"""
)


def _near(organisation, rules: str):
    document = PolicyDocumentFactory(effective_from=datetime.date(2020, 1, 1))
    measures.import_rulebook(None, document, rules)
    today = timezone.localdate()
    ((rulebook, explanation),) = [
        (book, found)
        for book, found in measures.explain_enterprise(organisation, today)
        if book.document_id == document.pk
    ]
    return measures.if_met(organisation, rulebook, explanation, today)


def test_two_near_misses_under_one_cap_are_each_offered(admin_user):
    organisation = OrganisationFactory()
    offers = _near(organisation, TWO_UNDER_ONE_CAP)
    assert [o["amount"] for o in offers["ZZ-A"]] == [Decimal(50000)]
    assert [o["amount"] for o in offers["ZZ-B"]] == [Decimal(30000)]
    user = make_user("enterprise", organisation)
    application = services.start_application(user, organisation, Clause.objects.get(code="ZZ-B"))
    assert approval_ceiling(application) == Decimal(30000)


def test_a_clause_paid_per_record_without_a_project_is_applied_for_as_a_whole(admin_user):
    organisation = OrganisationFactory()
    for _ in range(3):
        StandardDraftingFactory(organisation=organisation, verification="verified")
    offers = _near(organisation, PER_RECORD)
    assert offers["ZZ-EACH"] == [{"label": "每项标准", "project": "", "amount": Decimal(30000)}]
    user = make_user("enterprise", organisation)
    application = services.start_application(user, organisation, Clause.objects.get(code="ZZ-EACH"))
    assert approval_ceiling(application) == Decimal(30000)
    assert "30000" in application.statement
