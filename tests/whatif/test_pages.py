"""The scenario pages refuse bad input with a message and never a server error; the lists export
to Excel; the comparison takes only kept scenarios."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.clients import client_for
from tests.factories import measures_rulebook
from tests.whatif.helpers import higher_amount
from zhibiao.measures.models import Clause, ClauseQuerySet
from zhibiao.whatif import services
from zhibiao.whatif.models import Budget, Scenario, StaffOnlyQuerySet

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


def test_compare_passes_over_what_no_scenario_can_be_numbered(rulebook, admin, users):
    # '²' is a digit to str.isdigit but not to int(); 30 digits overflow the database's integer.
    kept = services.start_scenario(users["admin"], rulebook, title="保存的")
    brand = Clause.objects.get(code="FX23-BRAND")
    services.set_draft(
        users["admin"], kept, revision=0, clause=brand, text=higher_amount(brand, 300000, 400000)
    )
    kept = services.save_scenario(users["admin"], kept, comment="保存", revision=1)
    url = reverse("whatif:compare")
    for odd in ("%C2%B2", "9" * 30, "%EF%BC%91"):  # superscript two, too long, fullwidth one
        page = admin.get(f"{url}?scenario={odd}")
        assert page.status_code == 200, odd
        assert page.context["scenarios"] == []
        page = admin.get(f"{url}?scenario={odd}&scenario={kept.pk}")
        assert page.status_code == 200, odd
        assert [s.pk for s in page.context["scenarios"]] == [kept.pk]


def test_dropping_a_draft_without_a_valid_revision_says_why(rulebook, admin, users):
    brand = Clause.objects.get(code="FX23-BRAND")
    scenario = services.start_scenario(users["admin"], rulebook, title="t", clause=brand)
    url = reverse("whatif:draft_drop", args=[scenario.pk, brand.code])
    for posted in ({}, {"revision": "x"}, {"revision": "-1"}):
        response = admin.post(url, posted, follow=True)
        assert response.status_code == 200
        shown = [(m.level_tag, str(m)) for m in response.context["messages"]]
        assert len(shown) == 1 and shown[0][0] == "error" and shown[0][1], posted
        assert scenario.drafts.filter(code=brand.code).exists()
    response = admin.post(url, {}, follow=True, headers={"accept-language": "en"})
    assert "This field is required." in [str(m) for m in response.context["messages"]]
    response = admin.post(url, {"revision": 0}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert not scenario.drafts.exists()


def test_pages_that_edit_a_scenario_ask_for_change_and_clauses_are_restricted(
    rulebook, admin, users, monkeypatch
):
    brand = Clause.objects.get(code="FX23-BRAND")
    scenario = services.start_scenario(users["admin"], rulebook, title="t", clause=brand)
    # Seeing a scenario is not editing it: with "change" refused, reading still works and
    # every page that edits answers 403 (the rule is staff-only for both today).
    monkeypatch.setitem(StaffOnlyQuerySet.actions, "change", lambda queryset, user: queryset.none())
    assert admin.get(reverse("whatif:scenario", args=[scenario.pk])).status_code == 200
    edits = [
        ("get", reverse("whatif:draft", args=[scenario.pk, brand.code]), {}),
        ("post", reverse("whatif:draft_drop", args=[scenario.pk, brand.code]), {"revision": 0}),
        ("post", reverse("whatif:save", args=[scenario.pk]), {"revision": 0, "comment": "c"}),
        ("post", reverse("whatif:publish", args=[scenario.pk]), {"revision": 0}),
    ]
    for method, url, data in edits:
        assert getattr(admin, method)(url, data).status_code == 403, url
    assert scenario.drafts.exists()
    # the clause a scenario starts from is looked up among those the user may see
    monkeypatch.setitem(ClauseQuerySet.actions, "view", lambda queryset, user: queryset.none())
    start = reverse("whatif:start") + f"?clause={brand.code}"
    assert admin.get(start).status_code == 404


def test_draft_page_says_why_a_draft_too_long_or_a_bad_revision_is_refused(rulebook, admin, users):
    """The form's own refusals (a text past its 50,000 characters, a revision that is no
    number) are shown on the page, not a page that silently shows the form again."""
    scenario = services.start_scenario(users["admin"], rulebook, title="t")
    url = reverse("whatif:draft", args=[scenario.pk, "FX23-BRAND"])
    for posted, field in (
        ({"text": "x" * 50_001, "revision": 0}, "text"),
        ({"text": "x", "revision": "-1"}, "revision"),
    ):
        response = admin.post(url, posted)
        assert response.status_code == 200
        shown = response.context["form"].errors[field]
        assert shown
        assert all(str(message) in response.content.decode() for message in shown), field
    assert not scenario.drafts.exists()


def test_impact_by_clause_shows_a_count_of_nought_as_0_and_a_dash_only_out_of_force(
    rulebook, admin, users, org
):
    """On the impact's table by clause, "—" says the clause is not in force on that side (a
    new clause now); a clause in force that nobody is entitled to shows 0, as the column with
    the drafts did while the column now showed "—" for the same 0."""
    brand = Clause.objects.get(code="FX23-BRAND")
    scenario = services.start_scenario(users["admin"], rulebook, title="t")
    services.set_draft(
        users["admin"],
        scenario,
        revision=0,
        clause=brand,
        text=higher_amount(brand, 300000, 400000),
    )
    new = services.initial_text(rulebook, None)
    services.set_draft(users["admin"], scenario, revision=1, text=new)
    page = admin.get(reverse("whatif:impact", args=[scenario.pk]))
    rows = {row["code"]: row for row in page.context["figures"]["clauses"]}
    assert rows[brand.code]["now"]["entitled"] == 0 and rows[brand.code]["now"]["near_miss"] == 0
    html = page.content.decode()

    def cells(code: str) -> list[str]:
        row = html[html.index(f"<code>{code}</code>") :]
        row = row[: row.index("</tr>")]
        return re.findall(r'<td class="text-end">([^<]*)</td>', row)

    # entitled now, with the drafts; amount now, with the drafts; near misses now, with them
    assert cells(brand.code)[0::2] == ["0", "0 元", "0"]
    assert cells(brand.code)[1::2] == ["0", "0 元", "0"]
    new_code = next(code for code, row in rows.items() if row["now"] is None)
    assert cells(new_code)[0::2] == ["—", "—", "—"]


def test_budget_page_names_each_clause_by_its_code_and_title(rulebook, admin):
    """The clause to budget is offered as "code title" (the form's wording), not the code
    twice: the view handed the form (code, code) pairs."""
    page = admin.get(reverse("whatif:budgets", args=[rulebook.code]))
    choices = dict(page.context["form"].fields["clause"].choices)
    brand = Clause.objects.get(code="FX23-BRAND")
    title = brand.versions.published().order_by("-number").first().title
    assert choices["FX23-BRAND"] == f"FX23-BRAND {title}"
    assert f"FX23-BRAND {title}" in page.content.decode()


def test_a_budget_past_its_bound_is_refused_and_no_page_breaks(rulebook, admin, users):
    """A budget the column takes but SQLite reads back past its digits (99,999,999,999,999.99
    comes back as 10^14) was saved, and from then on the budgets page and every scenario's
    impact were a server error. Budgets are bounded to a trillion yuan, by the form and by the
    model's own check (the service validates the whole object)."""
    scenario = services.start_scenario(users["admin"], rulebook, title="t")
    url = reverse("whatif:budgets", args=[rulebook.code])
    year = timezone.localdate().year
    response = admin.post(url, {"year": year, "amount": "99999999999999.99"})
    assert response.status_code == 200 and response.context["form"].errors["amount"]
    with pytest.raises(ValidationError) as refused:
        services.set_budget(users["admin"], rulebook, year=year, amount=Decimal("1000000000000"))
    assert list(refused.value.message_dict) == ["amount"]
    assert not Budget.objects.exists()
    assert admin.post(url, {"year": year, "amount": "999999999999.99"}).status_code == 302
    assert admin.get(url).status_code == 200
    assert admin.get(reverse("whatif:impact", args=[scenario.pk])).status_code == 200
