"""The impact of a scenario agrees with evaluating every enterprise one by one, and says who
gains and loses, by how much and why."""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from decimal import Decimal

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.clients import client_for, token_client
from tests.factories import random_records
from tests.whatif.helpers import higher_amount, tighter_condition
from zhibiao.directory.models import Organisation
from zhibiao.measures import facts
from zhibiao.measures import services as measures
from zhibiao.measures.models import Clause, RuleBook
from zhibiao.rules import ClauseSet, explain
from zhibiao.whatif import impact, services, views
from zhibiao.whatif.models import Budget

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def world(demo, users):
    random_records(80, seed=7)
    rulebook = RuleBook.objects.get()
    scenario = services.start_scenario(users["admin"], rulebook, title="提高品牌奖励、收紧国标条件")
    brand = Clause.objects.get(code="FX23-BRAND")
    national = Clause.objects.get(code="FX23-STD-NAT-2")
    services.set_draft(
        users["admin"],
        scenario,
        revision=0,
        clause=brand,
        text=higher_amount(brand, 300000, 400000),
    )
    services.set_draft(
        users["admin"], scenario, revision=1, clause=national, text=tighter_condition(national)
    )
    return rulebook, scenario


def _draft_set(rulebook: RuleBook, scenario) -> ClauseSet:
    """The draft clauses built independently of impact.py: the rule book's published clauses
    with each drafted clause's text in their place."""
    drafts = {d.code: yaml.safe_load(d.text) for d in scenario.drafts.all()}
    data = yaml.safe_load(rulebook.header)
    data.pop("example_base", None)
    data.pop("example_as_of", None)
    clauses = []
    for clause in measures.clause_set(rulebook).in_force(TODAY):
        source = drafts.get(clause.id) or yaml.safe_load(
            clause_version_source(rulebook, clause.id, clause.version)
        )
        source.pop("examples", None)
        clauses.append(source)
    data["clauses"] = clauses
    return ClauseSet.from_dict(data, facts.schema())


def clause_version_source(rulebook, code, number) -> str:
    return measures.version_for(rulebook, code, number).source


def test_impact_agrees_with_one_enterprise_at_a_time(world):
    rulebook, scenario = world
    found = impact.screen_twice(scenario, TODAY)
    figures = found.figures()

    now_set = measures.clause_set(rulebook)
    draft_set = _draft_set(rulebook, scenario)
    organisations = Organisation.objects.in_bulk(found.ids)
    old_total = new_total = Decimal(0)
    old_entitled = new_entitled = 0
    gainers, losers = set(), set()
    by_clause: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    by_town: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for org_id, organisation in organisations.items():
        one = facts.facts_for(organisation, TODAY)
        old = explain(now_set, one, TODAY)
        new = explain(draft_set, one, TODAY)
        old_sum = sum((r.amount for r in old.results), Decimal(0))
        new_sum = sum((r.amount for r in new.results), Decimal(0))
        old_total += old_sum
        new_total += new_sum
        old_entitled += bool(old.entitled)
        new_entitled += bool(new.entitled)
        if new_sum > old_sum:
            gainers.add(org_id)
        if new_sum < old_sum:
            losers.add(org_id)
        for result in old.results:
            by_clause[result.id][0] += result.amount
        for result in new.results:
            by_clause[result.id][1] += result.amount
        by_town[organisation.town][0] += old_sum
        by_town[organisation.town][1] += new_sum

    assert len(found.ids) == len(organisations) > 80
    assert Decimal(figures["now"]["total"]) == old_total
    assert Decimal(figures["draft"]["total"]) == new_total
    assert figures["now"]["entitled"] == old_entitled
    assert figures["draft"]["entitled"] == new_entitled
    assert {found.ids[r] for r in found.rows("gainers")} == gainers
    assert {found.ids[r] for r in found.rows("losers")} == losers
    assert figures["gainers"] == len(gainers) and figures["losers"] == len(losers)
    # the drafts changed something both ways: the comparison is not of two empty sets
    assert gainers and losers
    for row in figures["clauses"]:
        old_amount, new_amount = by_clause[row["code"]]
        assert Decimal(row["now"]["amount"]) == old_amount, row["code"]
        assert Decimal(row["draft"]["amount"]) == new_amount, row["code"]
    for row in figures["by"]["town"]:
        assert [Decimal(row["now"]), Decimal(row["draft"])] == by_town[row["key"]]


def test_losers_are_listed_with_amounts_and_reasons(world):
    _rulebook, scenario = world
    found = impact.screen_twice(scenario, TODAY)
    count, rows = found.listing("losers")
    assert count == len(rows) > 0
    for row in rows:
        assert Decimal(row["new"]) < Decimal(row["old"])
        assert Decimal(row["difference"]) == Decimal(row["new"]) - Decimal(row["old"])
    # a loser under the tighter condition is told which condition it no longer meets
    assert any("1,000,000" in row["reason"] for row in rows), [r["reason"] for r in rows]
    _count, gained = found.listing("gainers")
    assert any("上海品牌" in row["reason"] for row in gained), [r["reason"] for r in gained]
    # the largest loss first
    differences = [Decimal(row["difference"]) for row in rows]
    assert differences == sorted(differences)


def test_caps_near_misses_and_budget(world, users):
    rulebook, scenario = world
    services.set_budget(users["admin"], rulebook, year=TODAY.year, amount=Decimal(1000))
    found = impact.screen_twice(scenario, TODAY)
    figures = found.figures()
    for side in ("now", "draft"):
        before = Decimal(figures[side]["before_caps"])
        after = Decimal(figures[side]["total"])
        assert before >= after
        assert Decimal(figures[side]["cut_by_caps"]) == before - after
    national = next(row for row in figures["clauses"] if row["code"] == "FX23-STD-NAT-2")
    # those who fail only the new tax condition are now near misses
    assert national["draft"]["near_miss"] >= national["now"]["near_miss"]
    assert national["draft"]["entitled"] < national["now"]["entitled"]
    budget = figures["budget"]
    assert budget["budget"] == "1000.00"
    assert budget["draft_over"] is True
    assert Decimal(budget["spent"]) >= 0


def test_nothing_of_a_scenario_reaches_enterprises(world):
    """Drafts are not clause versions: the published clause set and an enterprise's
    explanation are as before."""
    rulebook, _scenario = world
    assert Clause.objects.get(code="FX23-BRAND").versions.count() == 1
    brand = measures.clause_set(rulebook).get("FX23-BRAND")
    assert brand.version == 1
    assert Budget.objects.count() == 0


def test_a_capped_export_says_it_is_cut_and_names_its_list(world, users, monkeypatch):
    _rulebook, scenario = world
    admin = client_for(users["admin"])
    count, _rows = impact.screen_twice(scenario, TODAY).listing("changed", limit=None)
    assert count >= 2
    url = reverse("whatif:impact_export", args=[scenario.pk]) + "?list=changed"

    def sheet(url: str):
        response = admin.get(url, headers={"accept-language": "en"})
        assert response.status_code == 200
        return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active

    whole = sheet(url)
    assert whole.title == "Amount changed"
    assert whole.max_row == 1 + count  # the headers and every enterprise, no note
    monkeypatch.setattr(views, "EXPORT_ROWS", 1)
    cut = sheet(url)
    assert cut.max_row == 1 + 1 + 1  # the headers, one enterprise, the note
    assert cut.cell(row=3, column=1).value == (
        f"The first 1 of {count:,} enterprises; the impact page lists them all."
    )
    assert sheet(url.replace("changed", "losers")).title == "Losers"


def test_the_export_writes_amounts_as_numbers(world, users):
    """The sheet's amounts are numbers a reader can sum, as every export writes decimals, not
    text: a loser's negative difference was even written as text with Excel's quote prefix."""
    _rulebook, scenario = world
    admin = client_for(users["admin"])
    response = admin.get(reverse("whatif:impact_export", args=[scenario.pk]) + "?list=losers")
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    _count, listed = impact.screen_twice(scenario, TODAY).listing("losers", limit=None)
    assert len(rows) == 1 + len(listed) > 1
    for (_name, _town, old, new, difference, _reason), row in zip(rows[1:], listed, strict=True):
        assert all(isinstance(value, int | float) for value in (old, new, difference)), row
        assert Decimal(str(old)) == Decimal(row["old"])
        assert Decimal(str(new)) == Decimal(row["new"])
        assert Decimal(str(difference)) == Decimal(row["difference"]) < 0


def test_the_impact_page_shows_the_nearest_real_page(world, users, monkeypatch):
    """As every list of the platform: a page past the last shows the last (not "Nobody." under
    a count of several), and a page number that is no bounded ASCII number shows the first."""
    _rulebook, scenario = world
    admin = client_for(users["admin"])
    monkeypatch.setattr(views, "PAGE_ROWS", 1)
    url = reverse("whatif:impact", args=[scenario.pk]) + "?list=changed&page="
    last = admin.get(url + "999")
    assert last.status_code == 200
    assert last.context["count"] >= 2 and last.context["page"] == last.context["pages"]
    assert len(last.context["rows"]) == 1
    # Arabic-Indic three, negative, no number, past any bound, none
    for odd in ("%D9%A3", "-2", "x", "9" * 40, ""):
        first = admin.get(url + odd)
        assert first.context["page"] == 1 and len(first.context["rows"]) == 1, odd


def test_the_impact_page_says_when_the_document_is_no_longer_in_force(world, users):
    """A scenario started while its document was in force still shows the clauses' figures
    once the document has expired, though the screening then grants nothing under it: the
    impact page says so, as the scenario's page does, instead of a cost \"now\" the district no
    longer pays."""
    rulebook, scenario = world
    admin = client_for(users["admin"])
    url = reverse("whatif:impact", args=[scenario.pk])
    assert admin.get(url).context["document_problem"] is None
    api_url = f"/api/v1/scenarios/{scenario.pk}/impact"
    assert token_client(users["admin"]).get(api_url).json()["document_problem"] is None
    document = rulebook.document
    document.effective_to = TODAY - datetime.timedelta(days=1)
    document.save()
    page = admin.get(url)
    assert Decimal(page.context["figures"]["now"]["total"]) > 0
    assert page.context["document_problem"] == services.document_problem(rulebook)
    assert page.context["document_problem"] in page.content.decode()
    assert not measures.rulebooks_in_force(TODAY).filter(pk=rulebook.pk).exists()
    api = token_client(users["admin"]).get(api_url)
    assert api.json()["document_problem"] == services.document_problem(rulebook)
