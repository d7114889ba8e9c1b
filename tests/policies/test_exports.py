"""The policy list's Excel export: published documents for everyone, drafts for district
administrators only, as the page lists them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from tests.clients import client_for, page_and_export, sheet_rows
from tests.factories import make_organisation
from zhibiao.policies.models import PolicyDocument

pytestmark = pytest.mark.django_db


def _document(title, issuers, *, issued, **values) -> PolicyDocument:
    document = PolicyDocument.objects.create(
        title=title, issue_date=issued, effective_from=issued, **values
    )
    document.issuers.set(issuers)
    return document


@pytest.fixture
def documents(db):
    council = make_organisation(kind="government", name="区政府", ownership="", industry="")
    bureau = make_organisation(kind="government", name="区市场监管局", ownership="", industry="")
    _document(
        "若干措施",
        [council, bureau],
        issued=datetime.date(2023, 5, 27),
        level="district",
        doc_number="奉府规〔2023〕1号",
        effective_to=datetime.date(2025, 12, 31),
    )
    _document("上位文件", [council], issued=datetime.date(2023, 3, 1), level="municipal")
    _document(
        "征求意见稿",
        [bureau],
        issued=datetime.date(2024, 1, 1),
        level="district",
        is_published=False,
    )


def test_the_export_lists_what_the_page_lists(documents, users, client):
    url = reverse("policies:list")
    published = list(
        PolicyDocument.objects.filter(is_published=True)
        .order_by("-issue_date", "pk")
        .values_list("title", flat=True)
    )
    for visitor in (client, client_for(users["enterprise"]), client_for(users["expert"])):
        page, rows = page_and_export(visitor, url)
        assert rows[0] == (
            "标题",
            "层级",
            "发文单位",
            "发布日期",
            "文号",
            "生效日期",
            "失效日期",
            "草稿",
        )
        titles = [row[0] for row in rows[1:]]
        assert titles == [document.title for document in page.context["documents"]]
        assert titles == published == ["若干措施", "上位文件"]  # never the draft
    measures = rows[1]
    assert measures[1:] == (
        "区级",
        "、".join(str(o) for o in PolicyDocument.objects.get(title="若干措施").issuers.all()),
        datetime.datetime(2023, 5, 27),
        "奉府规〔2023〕1号",
        datetime.datetime(2023, 5, 27),
        datetime.datetime(2025, 12, 31),
        None,
    )

    rows = sheet_rows(client_for(users["admin"]).get(url + "?format=xlsx"))
    everything = PolicyDocument.objects.order_by("-issue_date", "pk")
    assert [row[0] for row in rows[1:]] == [d.title for d in everything]
    assert rows[1][0] == "征求意见稿" and rows[1][7] == "草稿"
