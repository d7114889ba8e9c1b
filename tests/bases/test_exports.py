"""The bases' Excel exports: the public list, a year's figures side by side, and the
applications to become a base, each with the rows its page shows to the same user."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Avg, Count
from django.urls import reverse
from django.utils import timezone

from tests.bases.test_year_and_designation import held_course
from tests.clients import client_for, page_and_export, sheet_rows
from tests.factories import make_organisation
from zhibiao.bases.models import Batch, Capability, Nomination, TrainingBase
from zhibiao.events import training
from zhibiao.events.models import Event, Feedback, Registration

pytestmark = pytest.mark.django_db

LAST_YEAR = timezone.localdate().year - 1


@pytest.fixture
def bases(base) -> dict[str, TrainingBase]:
    """An active base with two capabilities, a suspended one of the second batch, a removed
    one of the first."""
    Capability.objects.create(base=base, kind="course", title="标准化入门")
    Capability.objects.create(base=base, kind="site_visit", title="参观生产线")
    second = Batch.objects.create(number=2, designated_on=datetime.date(2024, 3, 1))
    suspended = TrainingBase.objects.create(
        organisation=make_organisation(name="上海暂停基地有限公司"),
        batch=second,
        status="suspended",
    )
    removed = TrainingBase.objects.create(
        organisation=make_organisation(name="上海已撤销基地有限公司"), batch=base.batch
    )
    return {"active": base, "suspended": suspended, "removed": removed}


def _remove(base: TrainingBase) -> None:
    TrainingBase.objects.filter(pk=base.pk).update(status="removed")


def test_the_list_exports_the_listed_bases(bases, admin_user, django_assert_max_num_queries):
    _remove(bases["removed"])
    url = reverse("bases:list")
    listed = TrainingBase.objects.listed().order_by("batch__number", "pk")
    expected = list(listed.values_list("organisation__name", flat=True))
    assert "上海已撤销基地有限公司" not in expected
    for user in (None, admin_user):  # the page lists the same bases to everyone
        client = client_for(user)
        page = client.get(url)
        assert "format=xlsx" in page.content.decode()  # the button
        assert [b.organisation.name for b in page.context["bases"]] == expected
        with django_assert_max_num_queries(6):  # no query per base
            rows = sheet_rows(client.get(url + "?format=xlsx"))
        assert rows[0] == ("实训基地", "镇（街道）", "批次", "状态", "授牌日期", "培训能力")
        assert [row[0] for row in rows[1:]] == expected
    active, suspended = rows[1], rows[2]
    assert active[1:] == (
        "青村镇",
        "第一批",
        "正常",
        datetime.datetime(2023, 7, 24),
        "标准化入门、参观生产线",
    )
    assert suspended[2:4] == ("第二批", "暂停") and suspended[5] is None


def _held_figures(base: TrainingBase, year: int) -> tuple:
    """The year's figures straight from the records: events at the base begun in the year and
    over, attendees checked in, survey answers."""
    held = Event.objects.filter(host_base=base, starts_at__year=year, ends_at__lte=timezone.now())
    scores = Feedback.objects.filter(registration__event__in=held).aggregate(
        n=Count("pk"), s=Avg("satisfaction")
    )
    return (
        held.filter(kind="course").count(),
        held.filter(kind="site_visit").count(),
        held.filter(kind="practice").count(),
        Registration.objects.filter(event__in=held, status="attended").count(),
        round(scores["s"], 2) if scores["s"] else None,
        scores["n"],
    )


def test_a_years_figures_as_the_page_shows_them(bases, manager, enterprise_user, admin_user):
    base, removed = bases["active"], bases["removed"]
    held_course(base, enterprise_user, manager, came=2, scores=(5, 4), year=LAST_YEAR)
    held_course(base, enterprise_user, manager, kind="site_visit", came=3, scores=(3,))
    held_course(
        base, enterprise_user, manager, kind="practice", came=1, scores=(5,), year=LAST_YEAR - 1
    )
    held_course(removed, enterprise_user, admin_user, came=1, scores=(2,), year=LAST_YEAR)
    _remove(removed)
    training.evaluate(admin_user, base, LAST_YEAR, result="pass")
    url = reverse("bases:year", args=[LAST_YEAR])

    page, rows = page_and_export(client_for(None), url)
    assert rows[0] == (
        "实训基地",
        "状态",
        "课程",
        "现场观摩",
        "实操训练",
        "签到人数",
        "满意度",
        "回复数",
    )
    assert [row[0] for row in rows[1:]] == [b.organisation.name for b, *_ in page.context["rows"]]
    assert [row[0] for row in rows[1:]] == ["上海测试实训基地股份有限公司", "上海暂停基地有限公司"]
    assert rows[1][2:] == _held_figures(base, LAST_YEAR) == (1, 0, 0, 2, 4.5, 2)
    assert rows[2][1:] == ("暂停", 0, 0, 0, 0, None, 0)

    # Staff also see the removed base, the recorded evaluation and the suggested result.
    rows = sheet_rows(client_for(admin_user).get(url + "?format=xlsx"))
    assert rows[0][-2:] == ("评估", "建议")
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {
        "上海测试实训基地股份有限公司",
        "上海暂停基地有限公司",
        "上海已撤销基地有限公司",
    }
    assert by_name["上海测试实训基地股份有限公司"][-2:] == ("合格", "不合格")
    assert by_name["上海暂停基地有限公司"][-2:] == (None, "不合格")
    assert by_name["上海已撤销基地有限公司"][1:] == (
        "已撤销",
        *_held_figures(removed, LAST_YEAR),
        None,
        "不合格",
    )


def test_applications_are_exported_within_the_users_scope(
    bases, enterprise_user, other_org, admin_user, expert_user, manager, client
):
    own = enterprise_user.organisation
    for organisation, status, batch in [
        (own, "rejected", None),
        (other_org, "in_review", None),
        (own, "submitted", bases["suspended"].batch),
    ]:
        Nomination.objects.create(
            organisation=organisation,
            applicant=enterprise_user,
            statement="理由",
            offer="课程",
            status=status,
            batch=batch,
        )
    url = reverse("bases:nominations")
    assert client.get(url).status_code == 302  # to sign in, as the page
    assert client.get(url + "?format=xlsx").status_code == 302

    rows = sheet_rows(client_for(admin_user).get(url + "?format=xlsx"))
    assert rows[0] == ("企业", "已提交", "状态", "批次")
    everyone = Nomination.objects.order_by("-created_at", "-pk")
    assert [row[0] for row in rows[1:]] == [a.organisation.name for a in everyone]

    response, rows = page_and_export(client_for(enterprise_user), url)
    assert len(rows) - 1 == response.context["page"].paginator.count == 2
    assert {row[0] for row in rows[1:]} == {own.name}  # never another enterprise's
    assert [row[2:] for row in rows[1:]] == [("已提交", "第二批"), ("未通过", None)]
    assert isinstance(rows[1][1], datetime.datetime)

    for user in (expert_user, manager):  # no applications of their own
        assert len(sheet_rows(client_for(user).get(url + "?format=xlsx"))) == 1
