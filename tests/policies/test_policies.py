"""Policies: public when published, drafts for administrators only, the same in the API.

Built with the factories, in the shape of the story's measures (two issuers, a committee they
found, a stand-in text that says so) and the central opinions they cannot implement, being
issued before them; tests/demo checks that the story carries the real ones."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.clients import client_for, page_and_api_status, token_client
from tests.factories import CommitteeFactory, OrganisationFactory, PolicyDocumentFactory
from zhibiao.policies.models import PolicyDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def measures(db) -> PolicyDocument:
    """The district's measures: issued by the federation and the regulator on 2023-05-27."""
    issuers = [
        OrganisationFactory(
            kind="peoples", name="上海市奉贤区工商业联合会", ownership="", industry=""
        ),
        OrganisationFactory(government=True, name="上海市奉贤区市场监督管理局"),
    ]
    document = PolicyDocumentFactory(
        title="关于服务奉贤区民营经济高质量发展的若干措施",
        short_title="若干措施",
        issue_date=datetime.date(2023, 5, 27),
        effective_from=datetime.date(2023, 5, 27),
        text_note="示例文本：仅供演示。",
        issuers=issuers,
    )
    CommitteeFactory(name="奉贤区民营经济质量和标准化工作委员会", founding_document=document)
    return document


@pytest.fixture
def opinions(db) -> PolicyDocument:
    """The central opinions, issued after the measures."""
    return PolicyDocumentFactory(
        title="中共中央 国务院关于促进民营经济发展壮大的意见",
        short_title="促进民营经济发展壮大的意见",
        level="central",
        issue_date=datetime.date(2023, 7, 14),
        effective_from=datetime.date(2023, 7, 14),
    )


@pytest.fixture
def draft(measures):
    return PolicyDocumentFactory(
        title="内部征求意见稿",
        issue_date=datetime.date(2024, 1, 1),
        effective_from=datetime.date(2024, 1, 1),
        is_published=False,
    )


def test_list_and_detail(measures, opinions):
    body = client_for(None).get(reverse("policies:list")).content.decode()
    assert "关于服务奉贤区民营经济高质量发展的若干措施" in body
    assert "中共中央 国务院关于促进民营经济发展壮大的意见" in body
    page = client_for(None).get(reverse("policies:detail", args=[measures.pk])).content.decode()
    assert "上海市奉贤区工商业联合会" in page
    assert "上海市奉贤区市场监督管理局" in page
    assert "奉贤区民营经济质量和标准化工作委员会" in page  # the committee it founded
    assert "示例文本" in page  # the stand-in text says so


def test_the_committees_a_document_founded_are_listed_apart(measures):
    CommitteeFactory(name="奉贤区质量奖评审委员会", founding_document=measures)
    page = client_for(None).get(reverse("policies:detail", args=[measures.pk])).content.decode()
    assert "奉贤区民营经济质量和标准化工作委员会</a>、<a" in page or (
        "奉贤区质量奖评审委员会</a>、<a" in page
    )


@pytest.mark.parametrize(("role", "status"), [(None, 404), ("enterprise", 404), ("admin", 200)])
def test_drafts_only_for_admins(draft, users, role, status):
    page, operation = reverse("policies:detail", args=[draft.pk]), f"/api/v1/policies/{draft.pk}"
    assert page_and_api_status(users.get(role), page, operation) == (status, status)
    api = token_client(users[role]) if role else client_for(None)
    listed = [item["id"] for item in api.get("/api/v1/policies").json()["items"]]
    assert (draft.pk in listed) == (status == 200)


def test_api_in_force_and_issuers(measures):
    items = client_for(None).get("/api/v1/policies").json()["items"]
    measures = next(item for item in items if item["title"].startswith("关于服务"))
    assert measures["in_force"] is True
    assert {issuer["name"] for issuer in measures["issuers"]} == {
        "上海市奉贤区工商业联合会",
        "上海市奉贤区市场监督管理局",
    }


def test_period_and_implements_rules(measures, opinions):
    measures.effective_to = datetime.date(2020, 1, 1)
    with pytest.raises(ValidationError) as caught:
        measures.full_clean()
    assert "effective_to" in caught.value.message_dict
    measures.effective_to = None
    measures.implements = opinions  # issued 2023-07-14, after the measures of 2023-05-27
    with pytest.raises(ValidationError) as caught:
        measures.full_clean()
    assert "implements" in caught.value.message_dict
