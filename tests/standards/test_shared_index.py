"""The search's posting lists are built by one app server and kept in the shared cache (issue
14): another server (here: this process with its own copy forgotten) loads them instead of
building its own, and a catalogue import or an edit in the admin site outdates them everywhere."""

from __future__ import annotations

import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.clients import client_for
from zhibiao.standards import search as engine
from zhibiao.standards import services
from zhibiao.standards.models import Standard


def _codes(q: str, **filters) -> list[str]:
    return [standard.code for standard in engine.search(q, **filters).standards]


def _second_server(monkeypatch) -> None:
    """Forget this process's copy, as another server starting without one."""
    monkeypatch.setattr(engine, "_index", None)


def test_a_second_server_loads_the_postings_instead_of_building_them(small_catalogue, monkeypatch):
    with CaptureQueriesContext(connection) as building:
        first = _codes("健身器材")
    assert first
    _second_server(monkeypatch)

    def no_build(self, version):
        raise AssertionError("the postings were built again")

    monkeypatch.setattr(engine._TitleIndex, "__init__", no_build)
    with CaptureQueriesContext(connection) as loading:
        assert _codes("健身器材") == first
    assert engine._index is not None  # the copy this server keeps from now on
    token_rows = [q["sql"] for q in building if "titletoken" in q["sql"] and "MAX(" not in q["sql"]]
    assert token_rows  # the first server read the token table ...
    assert not [q for q in loading if "titletoken" in q["sql"] and "MAX(" not in q["sql"]]
    assert len(loading) < len(building)  # ... the second only its version


def test_an_import_outdates_the_postings_on_every_server(small_catalogue, monkeypatch):
    assert _codes("划船器") == []
    kept = engine._index
    row = {"标准号": "GB/T 99999-2026", "标准名称": "室内划船器 安全要求", "状态": "现行"}
    services.import_standards(None, io.BytesIO(json.dumps([row]).encode()), name="new.json")
    assert _codes("划船器") == ["GB/T 99999-2026"]  # this server: its copy was outdated
    assert engine._index is not kept
    _second_server(monkeypatch)
    assert _codes("划船器") == ["GB/T 99999-2026"]  # another: the shared one is the new one


def test_an_edit_in_the_admin_site_outdates_the_postings(small_catalogue, admin_user):
    assert "GB/T 42061-2022" in _codes("医疗器械", status="current")
    standard = Standard.objects.get(code="GB/T 42061-2022")
    client = client_for(admin_user)
    page = client.get(f"/admin/standards/standard/{standard.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data["status"] = "withdrawn"
    answer = client.post(f"/admin/standards/standard/{standard.pk}/change/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert "GB/T 42061-2022" not in _codes("医疗器械", status="current")
    assert "GB/T 42061-2022" in _codes("医疗器械", status="withdrawn")


@pytest.mark.parametrize("words", ["医疗器械 质量管理", "不存在的词语组合"])
def test_the_flat_postings_answer_as_the_lists_did(small_catalogue, words):
    """The postings are one array with offsets; each word's slice is its sorted ids."""
    index = engine.title_index()
    for token, slot in index.slots.items():
        ids = index.postings(token)
        assert list(ids) == sorted(set(ids.tolist()))
        assert len(ids) == index.bounds[slot + 1] - index.bounds[slot] > 0
    assert not len(index.postings("不存在的词"))
    assert engine.search(words).total == (1 if "质量" in words else 0)
