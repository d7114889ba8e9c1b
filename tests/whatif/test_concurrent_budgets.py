"""Two staff setting the same yearly budget at once: both replace it, the later one last, and one
budget remains; neither gets a server error. The race is made deterministic: the colleague's
budget appears between the check and the write."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for
from tests.factories import make_user, measures_rulebook
from tests.races import compete_after_check, insert_twin
from zhibiao.accounts.models import Role
from zhibiao.audit.models import AuditEntry
from zhibiao.whatif import services
from zhibiao.whatif.models import Budget

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


@pytest.fixture
def rulebook(db):
    return measures_rulebook()


@pytest.fixture
def colleague(db):
    return make_user(Role.ADMIN)


@pytest.mark.parametrize("clause_code", [None, "FX23-BRAND"])
def test_the_later_of_two_budgets_set_at_once_is_the_one_kept(
    rulebook, users, colleague, monkeypatch, clause_code
):
    clause = rulebook.clauses.get(code=clause_code) if clause_code else None
    compete_after_check(
        monkeypatch, Budget, lambda mine: insert_twin(mine, amount=Decimal(100), set_by=colleague)
    )
    budget = services.set_budget(
        users["admin"], rulebook, year=YEAR, amount=Decimal(200), clause=clause
    )
    kept = Budget.objects.get()
    assert kept == budget and kept.clause == clause
    assert (kept.amount, kept.set_by) == (Decimal(200), users["admin"])
    assert AuditEntry.objects.filter(action="budget.set", actor=users["admin"]).count() == 1


def test_the_budget_page_sets_a_budget_a_colleague_set_meanwhile(
    rulebook, users, colleague, monkeypatch
):
    compete_after_check(
        monkeypatch, Budget, lambda mine: insert_twin(mine, amount=Decimal(100), set_by=colleague)
    )
    page = client_for(users["admin"]).post(
        reverse("whatif:budgets", args=[rulebook.code]), {"year": YEAR, "amount": "200"}
    )
    assert page.status_code == 302
    kept = Budget.objects.get()
    assert (kept.amount, kept.set_by) == (Decimal(200), users["admin"])
