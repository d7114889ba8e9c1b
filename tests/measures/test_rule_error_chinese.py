"""Staff who write rules read the engine's errors in Chinese: every message the corpus of broken
rules (tests/rules/broken.py) draws from the engine has a Chinese translation, and the clause
editor, its live check and the API show it with the line and column, no English sentence left.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.clients import client_for, token_client
from tests.factories import measures_rulebook
from tests.rules.broken import corpus, failing_example_phrases, msgids
from zhibiao.measures.models import Clause
from zhibiao.measures.phrases import say_error, show_error

#: A Latin word of three letters or more: what an English sentence leaves in Chinese text once
#: the names and code it quotes (the parameters, in <code>) are taken out.
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def _untranslated(msgid: str) -> bool:
    with translation.override("zh-hans"):
        return gettext(msgid) == msgid


def test_every_message_of_the_corpus_has_a_chinese_translation():
    phrases = [e.phrase.to_dict() for _k, _w, errors in corpus() for e in errors if e.phrase]
    phrases += [p.to_dict() for p in failing_example_phrases()]
    assert len(phrases) > 25
    wanted = set().union(*(msgids(p) for p in phrases))
    assert sorted(m for m in wanted if _untranslated(m)) == []


def test_an_error_reads_in_chinese_with_the_names_as_code():
    [(_k, _w, [error])] = [c for c in corpus() if c[1] == "tax_payed > 0"]
    with translation.override("zh-hans"):
        assert say_error(error) == "未知的事实“tax_payed”，是否想写“tax_paid_district”？"
        html = show_error(error)
    assert html == (
        "未知的事实“<code>tax_payed</code>”，是否想写“<code>tax_paid_district</code>”？"
    )
    with translation.override("en"):
        assert say_error(error) == error.message  # English stays the engine's own


def test_the_authors_text_is_escaped_in_the_html():
    [(_k, _w, errors)] = [c for c in corpus() if c[1] == 'ownership == "privat"']
    from dataclasses import replace

    from zhibiao.rules.words import Phrase

    error = replace(
        errors[0], phrase=Phrase("unknown fact '%(name)s'", {"name": "<script>x</script>"})
    )
    with translation.override("zh-hans"):
        assert "<script>" not in show_error(error)
        assert "&lt;script&gt;" in show_error(error)


def _without_code(html: str) -> str:
    """The text a reader sees, less what the error quotes (names, code) and the markup."""
    text = re.sub(r"<code>.*?</code>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", "", text)


@pytest.mark.django_db
def test_a_broken_clause_on_the_edit_page_reads_in_chinese(users):
    measures_rulebook()
    clause = Clause.objects.get(code="FX23-CMA")
    admin = client_for(users["admin"])
    text = (
        clause.versions.order_by("-number")
        .first()
        .source.replace("credit_status", "credit_statu", 1)
    )
    response = admin.post(
        reverse("measures:clause_edit", args=["FX23-CMA"]),
        {"text": text, "change_note": ""},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200  # refused, shown again with the errors
    page = response.content.decode()
    [problems] = re.findall(r'<ul class="mb-0 small">(.*?)</ul>', page, flags=re.S)
    assert re.search(r"第 \d+ 行第 \d+ 列", problems)
    assert (
        "未知的事实“<code>credit_statu</code>”，是否想写“<code>credit_status</code>”？" in problems
    )
    assert ENGLISH_WORD.findall(_without_code(problems)) == []
    assert "unknown fact" not in page

    check = admin.post(
        reverse("measures:clause_check"),
        {"text": "id: FX23-CMA\n" + text.split("\n", 1)[1] + "\n  bad: [", "clause": "FX23-CMA"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    assert "YAML 语法错误" in check and re.search(r"第 \d+ 行第 \d+ 列", check)


@pytest.mark.django_db
def test_the_api_keeps_the_english_message_and_adds_it_in_the_clients_language(users):
    measures_rulebook()
    clause = Clause.objects.get(code="FX23-CMA")
    text = clause.versions.order_by("-number").first().source.replace("credit_status", "x_y", 1)
    body = (
        token_client(users["admin"])
        .post(
            "/api/v1/measures/check",
            {"text": text, "clause": "FX23-CMA"},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        .json()
    )
    [error] = [e for e in body["errors"] if e["kind"] == "unknown_fact"]
    assert error["message"] == "unknown fact 'x_y'"
    assert error["localized"] == "未知的事实“x_y”"


@pytest.mark.django_db
def test_a_broken_rule_book_import_reads_in_chinese(users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhibiao.measures import services

    rulebook = measures_rulebook()
    text = services.export_rulebook(rulebook).replace("credit_status", "credit_statu", 1)
    response = client_for(users["admin"]).post(
        reverse("measures:rulebook_import", args=[rulebook.code]),
        {"file": SimpleUploadedFile("rules.yaml", text.encode(), "application/yaml")},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    [problems] = re.findall(
        r'<ul class="mb-0 small">(.*?)</ul>', response.content.decode(), flags=re.S
    )
    assert re.search(r"第 \d+ 行第 \d+ 列", problems)
    assert "未知的事实“<code>credit_statu</code>”" in problems
    assert ENGLISH_WORD.findall(_without_code(problems)) == []
