"""The committee page and API: five sectors, members named by office.

Built with the factories in the story's shape (a member or two per sector, people named by
office); tests/demo checks the story's own committee."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.clients import client_for
from tests.factories import (
    AdminFactory,
    CommitteeMemberFactory,
    PersonFactory,
    PolicyDocumentFactory,
)
from zhibiao.committee.models import CommitteeMember, Sector

pytestmark = pytest.mark.django_db

#: People named by office, by sector, as the story names them.
SEATS = {
    Sector.GOVERNMENT: ["区市场监管局局长"],
    Sector.FEDERATION: ["区工商联党组书记", "区工商联副主席"],
    Sector.INSTITUTION: ["区质量技术服务中心主任"],
    Sector.ENTERPRISE: ["上海贤达精密机械有限公司董事长"],
    Sector.CHAMBER: ["区机械行业协会会长", "区电子商会秘书长"],
}


@pytest.fixture
def committee(db):
    members = [
        CommitteeMemberFactory(sector=sector, person=PersonFactory(name=name, title=name))
        for sector, names in SEATS.items()
        for name in names
    ]
    return members[0].committee


def test_committee_page_groups_members_by_sector(committee, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client_for(None).get(reverse("committee:index"))
    body = response.content.decode()
    for sector in ["政府部门", "工商联", "专业机构", "民营企业", "商（协）会"]:
        assert sector in body
    assert "2023-05-27" in body
    assert "区工商联党组书记" in body


def test_member_page_and_404(committee):
    member = CommitteeMember.objects.first()
    assert client_for(None).get(reverse("committee:member", args=[member.pk])).status_code == 200
    assert client_for(None).get(reverse("committee:member", args=[999999])).status_code == 404


def test_api(committee):
    committees = client_for(None).get("/api/v1/committee").json()
    assert committees["count"] == 1
    assert committees["items"][0]["member_count"] == CommitteeMember.objects.count()
    members = client_for(None).get("/api/v1/committee/members", {"sector": "chamber"}).json()
    assert members["count"] == 2
    assert all(item["sector_name"] == "商（协）会" for item in members["items"])
    assert client_for(None).get("/api/v1/committee/members/999999").status_code == 404


def test_term_must_be_ordered(committee):
    member = CommitteeMember.objects.first()
    member.term_end = member.term_start - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        member.full_clean()
    assert "term_end" in caught.value.message_dict


def test_ended_terms_leave_the_page(committee):
    member = CommitteeMember.objects.select_related("person").get(person__name="区工商联副主席")
    member.term_end = datetime.date(2024, 1, 1)
    member.save()
    body = client_for(None).get(reverse("committee:index")).content.decode()
    assert "区工商联副主席" not in body


def test_a_draft_founding_document_is_named_only_to_who_may_open_it(committee):
    """A draft policy is hidden from the public (its page is a 404): the committee's page and
    API must not give away its title or its address either."""
    draft = PolicyDocumentFactory(title="关于成立委员会的通知（未发布稿）", is_published=False)
    committee.founding_document = draft
    committee.save()
    public = client_for(None)
    assert public.get(draft.get_absolute_url()).status_code == 404
    page = public.get(reverse("committee:index")).content.decode()
    assert "未发布稿" not in page and draft.get_absolute_url() not in page
    assert public.get("/api/v1/committee").json()["items"][0]["founding_document_id"] is None
    staff = client_for(AdminFactory())
    assert "未发布稿" in staff.get(reverse("committee:index")).content.decode()
    assert staff.get("/api/v1/committee").json()["items"][0]["founding_document_id"] == draft.pk
    committee.founding_document = PolicyDocumentFactory(title="关于成立委员会的通知")
    committee.save()
    assert "关于成立委员会的通知" in public.get(reverse("committee:index")).content.decode()
