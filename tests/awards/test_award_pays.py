"""Issue 17: the award pays under the measures (the 区长质量奖 clause) only once approved: while
the award is decided and on public notice the measures find nothing; once conferred, the
verified award on file makes the clause pay, with who recorded and who verified it."""

from __future__ import annotations

import pytest

from tests.awards.conftest import step, to_notice
from tests.factories import PolicyDocumentFactory
from zhibiao.measures.models import RuleBook
from zhibiao.measures.services import explain_enterprise
from zhibiao.measures.services.rulefiles import import_rulebook

pytestmark = pytest.mark.django_db

#: A measures document with the district award's clause, in the measures' own language.
RULES = """
format: zhibiao-rules/1
document:
  id: TEST-DQA
  title: 区长质量奖奖励办法(测试)
caps:
  received: received_awards
clauses:
  - id: TEST-QA-DISTRICT
    version: 1
    title: 荣获区长质量奖
    category: 质量奖
    effective_from: 2023-01-01
    conditions:
      - label: 在本区注册满3年
        expr: years_between(registration_date, as_of) >= 3
    award:
      each: awards
      where: name == "区长质量奖" and year == this_year
      requirement: 本年度荣获区长质量奖
      amount: 200000
      item_label: project
      project: project
"""


def _district_clause(organisation):
    for rulebook, explanation in explain_enterprise(organisation):
        if rulebook.code == "TEST-DQA":
            return explanation.result("TEST-QA-DISTRICT")
    raise AssertionError("the test rule book is not in force")


def test_the_measures_pay_the_award_only_once_conferred(world):
    document = PolicyDocumentFactory(title="区长质量奖奖励办法")
    import_rulebook(None, document, RULES)
    assert RuleBook.objects.filter(code="TEST-DQA").exists()
    organisation = world["organisation"]

    _cycle, entry = to_notice(world)  # decided and on public notice: not yet approved
    result = _district_clause(organisation)
    assert not result.entitled and result.amount == 0

    entry = step(world["admin"], entry, "confer")
    result = _district_clause(organisation)
    assert result.entitled and result.amount == 200000
    award = entry.award_record
    assert award.recorded_by == world["admin"] and award.checked_by is not None
    assert award.verification == "verified"
