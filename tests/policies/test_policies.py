"""Policies: public when published, drafts for administrators only, the same in the API."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.conftest import client_for, token_client
from zhibiao.policies.models import PolicyDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(demo):
    document = PolicyDocument.objects.create(
        title="内部征求意见稿",
        level="district",
        issue_date=datetime.date(2024, 1, 1),
        effective_from=datetime.date(2024, 1, 1),
        is_published=False,
    )
    return document


def test_list_and_detail(demo):
    body = client_for(None).get(reverse("policies:list")).content.decode()
    assert "关于服务奉贤区民营经济高质量发展的若干措施" in body
    assert "中共中央 国务院关于促进民营经济发展壮大的意见" in body
    measures = PolicyDocument.objects.get(short_title="若干措施")
    page = client_for(None).get(reverse("policies:detail", args=[measures.pk])).content.decode()
    assert "上海市奉贤区工商业联合会" in page
    assert "上海市奉贤区市场监督管理局" in page
    assert "奉贤区民营经济质量和标准化工作委员会" in page  # the committee it founded
    assert "示例文本" in page  # the stand-in text says so


@pytest.mark.parametrize(("role", "status"), [(None, 404), ("enterprise", 404), ("admin", 200)])
def test_drafts_only_for_admins(draft, users, role, status):
    client = client_for(users[role] if role else None)
    assert client.get(reverse("policies:detail", args=[draft.pk])).status_code == status
    api = token_client(users[role]) if role else client_for(None)
    assert api.get(f"/api/v1/policies/{draft.pk}").status_code == status
    listed = [item["id"] for item in api.get("/api/v1/policies").json()["items"]]
    assert (draft.pk in listed) == (status == 200)


def test_api_in_force_and_issuers(demo):
    items = client_for(None).get("/api/v1/policies").json()["items"]
    measures = next(item for item in items if item["title"].startswith("关于服务"))
    assert measures["in_force"] is True
    assert {issuer["name"] for issuer in measures["issuers"]} == {
        "上海市奉贤区工商业联合会",
        "上海市奉贤区市场监督管理局",
    }


def test_period_and_implements_rules(demo):
    measures = PolicyDocument.objects.get(short_title="若干措施")
    opinions = PolicyDocument.objects.get(short_title="促进民营经济发展壮大的意见")
    measures.effective_to = datetime.date(2020, 1, 1)
    with pytest.raises(ValidationError) as caught:
        measures.full_clean()
    assert "effective_to" in caught.value.message_dict
    measures.effective_to = None
    measures.implements = opinions  # issued 2023-07-14, after the measures of 2023-05-27
    with pytest.raises(ValidationError) as caught:
        measures.full_clean()
    assert "implements" in caught.value.message_dict
