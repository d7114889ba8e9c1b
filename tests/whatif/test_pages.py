"""The scenario pages refuse bad input with a message and never a server error; the lists export
to Excel; the comparison takes only kept scenarios."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.clients import client_for
from tests.factories import measures_rulebook
from tests.whatif.helpers import higher_amount
from zhibiao.measures.models import Clause
from zhibiao.whatif import services
from zhibiao.whatif.models import Budget, Scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def rulebook(db):
    return measures_rulebook()


@pytest.fixture
def admin(users):
    return client_for(users["admin"])


def test_budget_page_refuses_a_negative_amount_and_a_clause_of_nowhere(rulebook, admin):
    url = reverse("whatif:budgets", args=[rulebook.code])
    year = timezone.localdate().year
    response = admin.post(url, {"year": year, "amount": "-5"})
    assert response.status_code == 200
    assert response.context["form"].errors["amount"]
    response = admin.post(url, {"year": year, "amount": "5", "clause": "NO-SUCH"})
    assert response.status_code == 200 and response.context["form"].errors["clause"]
    assert not Budget.objects.exists()
    response = admin.post(url, {"year": year, "amount": "5000000", "clause": "FX23-BRAND"})
    assert response.status_code == 302
    budget = Budget.objects.get()
    assert budget.clause.code == "FX23-BRAND" and budget.amount == Decimal("5000000")


def test_draft_page_keeps_a_refused_text_and_shows_why(rulebook, admin, users):
    scenario = services.start_scenario(users["admin"], rulebook, title="t")
    url = reverse("whatif:draft", args=[scenario.pk, "FX23-BRAND"])
    page = admin.get(url)
    assert page.status_code == 200
    assert "version: 2" in page.content.decode()
    response = admin.post(url, {"text": "id: [", "revision": 0})
    assert response.status_code == 200
    assert response.context["errors"]
    assert not scenario.drafts.exists()
    check = admin.post(
        reverse("whatif:check", args=[scenario.pk]), {"text": "id: [", "clause": "FX23-BRAND"}
    )
    assert check.status_code == 200 and "alert-danger" in check.content.decode()
    # a clause of no rule book is not found
    assert admin.get(reverse("whatif:draft", args=[scenario.pk, "NO-SUCH"])).status_code == 404


def test_export_and_compare(rulebook, admin, users, org):
    brand = Clause.objects.get(code="FX23-BRAND")
    kept = services.start_scenario(users["admin"], rulebook, title="保存的")
    services.set_draft(
        users["admin"], kept, revision=0, clause=brand, text=higher_amount(brand, 300000, 400000)
    )
    kept = services.save_scenario(users["admin"], kept, comment="保存", revision=1)
    draft = services.start_scenario(users["admin"], rulebook, title="草稿中")
    sheet = admin.get(reverse("whatif:impact_export", args=[kept.pk]) + "?list=gainers")
    assert sheet.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(sheet.streaming_content)))
    assert workbook.active.max_row >= 1
    page = admin.get(
        reverse("whatif:compare") + f"?scenario={kept.pk}&scenario={draft.pk}&scenario=x"
    )
    assert page.status_code == 200
    assert [s.pk for s in page.context["scenarios"]] == [kept.pk]
    assert Scenario.objects.count() == 2
