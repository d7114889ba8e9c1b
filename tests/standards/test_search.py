"""Search by code in any written form and by Chinese title words; pages and API agree."""

from __future__ import annotations

import pytest

from tests.clients import client_for
from zhibiao.standards.search import search

pytestmark = pytest.mark.django_db


def codes(q, **filters):
    return [s.code for s in search(q, **filters).standards]


@pytest.mark.parametrize(
    "query",
    ["GB/T 42061-2022", "gbt42061-2022", "GB／T　４２０６１—２０２２", "GB/T42061", "GBT 42061"],
)
def test_any_written_form_finds_the_edition(small_catalogue, query):
    assert codes(query)[0] == "GB/T 42061-2022"


def test_code_without_year_lists_editions_newest_first(small_catalogue):
    assert codes("GB/T 16886.1") == ["GB/T 16886.1-2022", "GB/T 16886.1-2011"]
    assert codes("GB/T 16886.1-2011")[0] == "GB/T 16886.1-2011"


def test_prefixes_and_numbers(small_catalogue):
    assert codes("GB/T 4206") == ["GB/T 42061-2022", "GB/T 42062-2022"]
    assert codes("42062") == ["GB/T 42062-2022"]
    assert codes("T/CSSS") == ["T/CSSS 005-2024"]
    assert codes("GB 42061-2022") == ["GB/T 42061-2022"]  # wrong kind: by number


def test_title_words_all_must_match_and_rank(small_catalogue):
    assert codes("医疗器械 质量管理") == ["GB/T 42061-2022"]
    found = codes("健身器材")
    assert found[-2:] == ["GB 17498-1998", "GB 19272-2011"]  # withdrawn last, shorter first
    assert set(found) >= {"GB 19272-2024", "GB 19272-2011", "GB/T 17498.6-2026"}
    assert codes("生物学评价") == ["GB/T 16886.1-2022", "GB/T 16886.1-2011"]  # current first
    assert codes("不存在的词语组合") == []


def test_filters(small_catalogue):
    assert codes("健身器材", status="withdrawn") == ["GB 17498-1998", "GB 19272-2011"]
    assert codes("", level="group") == ["T/CSSS 005-2024"]
    assert search("", status="current").total == 6


def test_code_and_words_together(small_catalogue):
    assert codes("GB 19272 室外") == ["GB 19272-2024", "GB 19272-2011"]


def test_page_and_api(small_catalogue):
    body = client_for(None).get("/standards/", {"q": "医疗器械 质量管理"}).content.decode()
    assert "GB/T 42061-2022" in body
    assert "1 项标准" in body or "1 项" in body
    partial = client_for(None).get(
        "/standards/", {"q": "GB/T 4206"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in partial.content.decode()
    api = client_for(None).get("/api/v1/standards", {"q": "GB/T 42061-2022"}).json()
    assert api["count"] == 1
    assert api["items"][0]["title"] == "医疗器械 质量管理体系 用于法规的要求"
    bad = client_for(None).get("/api/v1/standards", {"status": "nonsense"})
    assert bad.status_code == 422
    assert "status" in bad.json()["errors"]


def test_real_catalogue_search(real_catalogue):
    api = client_for(None).get("/api/v1/standards", {"q": "GB/T 42061-2022"}).json()
    assert api["items"][0]["title"] == "医疗器械 质量管理体系 用于法规的要求"
    detail = client_for(None).get(f"/api/v1/standards/{api['items'][0]['id']}").json()
    assert detail["code"] == "GB/T 42061-2022"
    assert codes("医疗器械 质量管理体系")[0] == "GB/T 42061-2022"
    assert codes("滑雪板")
    assert "GB 19272-2024" in codes("室外健身器材")
