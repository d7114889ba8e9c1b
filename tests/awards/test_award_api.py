"""Issue 17's API: an expert's score saved, a stale revision a 409, a score outside the bands a
422 naming GB/Z 19579, a stage out of order a 409, and the enterprise kept out (403)."""

from __future__ import annotations

import pytest

from tests.awards.conftest import in_review, to_notice
from tests.clients import token_client
from zhibiao.awards.models import Entry

pytestmark = pytest.mark.django_db

API = "/api/v1/awards"


def test_scores_and_steps_through_the_api(world):
    cycle, entry = in_review(world)
    expert = token_client(world["experts"][0])
    url = f"{API}/entries/{entry.pk}/scores"
    body = {"item": "4.1.2", "percent": 70, "comment": "方法系统"}
    saved = expert.post(url, body, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["revision"] == 0
    again = expert.post(
        url, {**body, "percent": 75, "revision": 0}, content_type="application/json"
    )
    assert again.status_code == 200 and again.json()["percent"] == 75
    stale = expert.post(
        url, {**body, "percent": 50, "revision": 0}, content_type="application/json"
    )
    assert stale.status_code == 409
    blind = expert.post(url, {**body, "percent": 50}, content_type="application/json")
    assert blind.status_code == 409  # no revision: it saw no score, but one exists
    outside = expert.post(url, {**body, "percent": 72}, content_type="application/json")
    assert outside.status_code == 422 and "GB/Z 19579" in outside.content.decode()

    admin = token_client(world["admin"])
    listed = admin.get(f"{API}/entries/{entry.pk}").json()
    assert listed["status"] == "checked"
    assert next(i for i in listed["items"] if i["code"] == "4.1.2")["percents"] == [75]
    early = admin.post(
        f"{API}/cycles/{cycle.pk}/transitions",
        {"action": "start_decision"},
        content_type="application/json",
    )
    assert early.status_code == 409
    by_cycle = admin.get(f"{API}/entries", {"cycle": cycle.pk}).json()
    by_year = admin.get(f"{API}/entries", {"year": cycle.year}).json()
    assert [e["id"] for e in by_cycle["items"]] == [e["id"] for e in by_year["items"]] == [entry.pk]
    assert admin.get(f"{API}/entries", {"cycle": cycle.pk + 1}).json()["items"] == []

    enterprise = token_client(world["enterprise"])
    assert enterprise.get(f"{API}/entries/{entry.pk}").status_code == 403
    assert enterprise.get(f"{API}/cycles").status_code == 403


def test_an_expert_reads_neither_totals_nor_rank_through_the_api(world):
    """The page shows an assigned expert no totals or rank; neither does the API."""
    _cycle, entry = to_notice(world)
    entry = Entry.objects.get(pk=entry.pk)
    assert entry.final_total is not None and entry.rank == 1
    expert = token_client(world["experts"][0])
    one = expert.get(f"{API}/entries/{entry.pk}")
    assert one.status_code == 200
    assert (one.json()["review_total"], one.json()["final_total"], one.json()["rank"]) == (
        None,
        None,
        None,
    )
    (listed,) = expert.get(f"{API}/entries").json()["items"]
    assert (listed["review_total"], listed["final_total"], listed["rank"]) == (None, None, None)
    staff = token_client(world["admin"]).get(f"{API}/entries/{entry.pk}").json()
    assert staff["final_total"] == str(entry.final_total) and staff["rank"] == 1
    assert staff["review_total"] == str(entry.review_total)
