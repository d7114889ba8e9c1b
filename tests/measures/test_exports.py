"""The measures' Excel exports: the clause list (drafts for administrators only) and the
screenings (staff only), with the rows their pages show."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for, page_and_export, sheet_rows
from tests.factories import measures_rulebook
from zhibiao.jobs.models import Job
from zhibiao.measures.models import Clause, ClauseVersion, Screening

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _draft(clause: Clause, title: str, number: int = 1) -> ClauseVersion:
    return ClauseVersion.objects.create(
        clause=clause,
        number=number,
        title=title,
        category="测试",
        effective_from=TODAY - datetime.timedelta(days=1),
        source=f"id: {clause.code}\n",
    )


def test_clauses_exported_as_listed_drafts_for_admins_only(users, client):
    rulebook = measures_rulebook()  # the story's clauses, without the rest of the story
    draft_only = Clause.objects.create(
        rulebook=rulebook, code="ZZ-DRAFT", position=99, mode="quick"
    )
    _draft(draft_only, "征求意见中的条款")
    brand = Clause.objects.get(code="FX23-BRAND")
    _draft(brand, "品牌条款修订稿", number=brand.versions.count() + 1)
    url = reverse("measures:clauses")
    published = set(
        Clause.objects.filter(versions__published_at__isnull=False).values_list("code", flat=True)
    )

    for visitor in (client, client_for(users["enterprise"])):
        page, rows = page_and_export(visitor, url)
        assert rows[0] == (
            "政策文件",
            "条款",
            "代码",
            "版本",
            "类别",
            "生效日期",
            "失效日期",
            "兑现方式",
            "发布时间",
        )
        codes = [row[2] for row in rows[1:]]
        assert codes == [clause.code for clause, _version in page.context["rows"]]
        assert set(codes) == published and "ZZ-DRAFT" not in codes
        assert all(row[8] is not None for row in rows[1:])  # published versions only
        by_code = {row[2]: row for row in rows[1:]}
        assert by_code["FX23-BRAND"][1] != "品牌条款修订稿"
        assert by_code["FX23-CERT-MEASURE"][7] == "免申即享"

    rows = sheet_rows(client_for(users["admin"]).get(url + "?format=xlsx"))
    by_code = {row[2]: row for row in rows[1:]}
    assert set(by_code) == published | {"ZZ-DRAFT"}
    assert by_code["ZZ-DRAFT"][1:5] == ("征求意见中的条款", "ZZ-DRAFT", 1, "测试")
    assert by_code["ZZ-DRAFT"][8] is None  # not published
    assert by_code["FX23-BRAND"][1] == "品牌条款修订稿"


def _screening(admin, as_of, status, **figures) -> Screening:
    job = Job.objects.create(
        task="zhibiao.measures.services.screen", title="筛查", status=status, created_by=admin
    )
    return Screening.objects.create(as_of=as_of, job=job, **figures)


def test_screenings_exported_for_staff_only(users, client):
    admin = users["admin"]
    _screening(admin, datetime.date(2025, 3, 1), "done", enterprises=120, entitled=7, total=5000)
    _screening(admin, datetime.date(2025, 6, 1), "queued")
    url = reverse("measures:screenings")

    assert client.get(url + "?format=xlsx").status_code == 302  # to sign in, as the page
    for role in ("enterprise", "expert", "chamber"):
        assert client_for(users[role]).get(url + "?format=xlsx").status_code == 403

    page, rows = page_and_export(client_for(admin), url)
    assert rows[0] == ("评估日期", "状态", "企业数", "可享受", "总金额")
    assert len(rows) - 1 == page.context["page"].paginator.count == Screening.objects.count()
    expected = [
        (datetime.datetime.combine(s.as_of, datetime.time()), s.enterprises, s.entitled, s.total)
        for s in Screening.objects.order_by("-pk")
    ]
    assert [(r[0], r[2], r[3], Decimal(str(r[4]))) for r in rows[1:]] == expected
    assert [r[1] for r in rows[1:]] == ["排队中", "已完成"]
