"""The committee page's Excel export: the members the page lists today, in its order."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from tests.clients import client_for, sheet_rows
from tests.factories import make_organisation
from zhibiao.committee.models import Committee, CommitteeMember, ExpertiseTag
from zhibiao.directory.models import Person

#: The page lists the members whose term covers today: the clock is held on a fixed day (noon
#: in Shanghai, ticking) so that the seats that end yesterday or start tomorrow stay so even
#: when the run crosses midnight after this module was imported.
TODAY = datetime.date(2026, 6, 15)
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(
        datetime.datetime.combine(
            TODAY, datetime.time(12), tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")
        ),
        tick=True,
    ),
]


def _seat(committee, name, sector, *, position="member", start=None, end=None, tags=()):
    organisation = make_organisation(name=f"{name}所在单位")
    person = Person.objects.create(organisation=organisation, name=name, title=f"{name}的职务")
    member = CommitteeMember.objects.create(
        committee=committee,
        person=person,
        sector=sector,
        position=position,
        term_start=start or committee.founded_on,
        term_end=end,
    )
    member.expertise.set(ExpertiseTag.objects.get_or_create(name=tag)[0] for tag in tags)
    return member


@pytest.fixture
def committee(db) -> Committee:
    committee = Committee.objects.create(
        name="测试工作委员会", founded_on=datetime.date(2023, 5, 27)
    )
    later = Committee.objects.create(name="另一个委员会", founded_on=datetime.date(2024, 1, 1))
    _seat(committee, "商会委员", "chamber", tags=["标准化"])
    _seat(committee, "政府委员", "government", tags=["计量", "认证"])
    _seat(committee, "政府主任", "government", position="director")
    _seat(committee, "已卸任委员", "enterprise", end=TODAY - datetime.timedelta(days=1))
    _seat(committee, "将任委员", "institution", start=TODAY + datetime.timedelta(days=1))
    _seat(later, "别的委员会委员", "federation")
    return committee


def test_the_export_lists_the_members_the_page_shows(committee, django_assert_max_num_queries):
    client = client_for(None)  # a public page: no account needed
    page = client.get(reverse("committee:index"))
    assert "format=xlsx" in page.content.decode()  # the button
    shown = [member for _sector, members in page.context["by_sector"] for member in members]
    with django_assert_max_num_queries(6):  # no query per member
        rows = sheet_rows(client.get(reverse("committee:index") + "?format=xlsx"))
    assert rows[0] == (
        "委员",
        "界别",
        "职务",
        "单位",
        "职务或职称",
        "专业领域",
        "任期开始",
        "任期结束",
    )
    names = [row[0] for row in rows[1:]]
    assert names == [member.person.name for member in shown]
    # What the page's query leaves out: ended and future terms, another committee's seats.
    current = CommitteeMember.objects.current().filter(committee=committee)
    assert sorted(names) == sorted(current.values_list("person__name", flat=True))
    assert names == ["政府主任", "政府委员", "商会委员"]  # by sector, the director first
    director, member = rows[1], rows[2]
    assert director[1:5] == ("政府部门", "主任委员", "政府主任所在单位", "政府主任的职务")
    assert member[5] == "计量、认证"
    assert member[6] == datetime.datetime(2023, 5, 27) and member[7] is None


def test_no_committee_no_rows(db):
    rows = sheet_rows(client_for(None).get(reverse("committee:index") + "?format=xlsx"))
    assert len(rows) == 1  # the header only
