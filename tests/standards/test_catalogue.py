"""The catalogue: import all or nothing, replacement links of both kinds, the shipped data."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse

from tests.clients import client_for
from tests.factories import CATALOGUE_ROWS, import_small_catalogue
from zhibiao.audit.models import AuditEntry
from zhibiao.standards import catalogue, services
from zhibiao.standards.models import LinkKind, Replacement, Standard, Status, TitleToken

pytestmark = pytest.mark.django_db


def _csv(text: str, name: str = "catalogue.csv") -> io.BytesIO:
    file = io.BytesIO(text.encode("utf-8"))
    file.name = name
    return file


def test_import_derives_level_mandatory_and_links(small_catalogue):
    assert small_catalogue.created == len(CATALOGUE_ROWS) + 1  # YY/T 0466.1-2016 enters as replaced
    gb = Standard.objects.get(code="GB 19272-2024")
    assert (gb.level, gb.mandatory, gb.base, gb.year) == ("national", True, "GB 19272", 2024)
    assert Standard.objects.get(code="T/CSSS 005-2024").level == "group"
    old = Standard.objects.get(code="YY/T 0466.1-2016")
    assert (old.status, old.title) == (Status.SUPERSEDED, "")
    links = {(r.old.code, r.new.code): r.kind for r in Replacement.objects.select_related()}
    assert links[("GB 19272-2011", "GB 19272-2024")] == LinkKind.EXPLICIT
    assert links[("YY/T 0466.1-2016", "YY/T 0466.1-2023")] == LinkKind.EXPLICIT
    assert links[("GB/T 16886.1-2011", "GB/T 16886.1-2022")] == LinkKind.INFERRED
    # A withdrawn edition whose newer editions are all withdrawn or absent gets no link.
    assert not Replacement.objects.filter(old__code="GB 17498-1998").exists()
    assert TitleToken.objects.filter(token="医疗器械").count() >= 3


def test_second_import_changes_nothing(small_catalogue):
    result = import_small_catalogue()
    assert (result.created, result.updated, result.links, result.inferred) == (0, 0, 0, 0)


def test_broken_rows_import_nothing_and_list_every_error(admin_user):
    text = (
        "标准号,标准名称,状态,实施日期\n"
        "GB/T 1-2020,好的一行,现行,2020-10-01\n"
        "XYZ 12,坏代码,现行,\n"
        "GB/T 2-2020,坏状态,差不多,\n"
        "GB/T 3-2020,坏日期,现行,明天\n"
        "GB/T 1—2020,同一代码不同内容,现行,\n"
    )
    with pytest.raises(catalogue.ImportFailed) as caught:
        services.import_standards(admin_user, _csv(text), name="x.csv")
    rows = [(error.row, error.column) for error in caught.value.result.errors]
    assert rows == [(3, "标准号"), (4, "状态"), (5, "实施日期"), (6, "标准号")]
    assert not Standard.objects.exists()
    assert not AuditEntry.objects.filter(action="standards.import").exists()


def test_json_and_xlsx_import(admin_user):
    data = json.dumps([{"code": "GB/T 30000-2020", "title": "测试标准", "status": "现行"}])
    result = services.import_standards(admin_user, _csv(data, "x.json"), name="x.json")
    assert result.created == 1
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["标准号", "标准名称", "状态", "发布日期"])
    workbook.active.append(["GB/T 30001-2021", "另一个测试标准", "即将实施", "2021-01-02"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "x.xlsx"
    services.import_standards(admin_user, buffer, name="x.xlsx")
    assert Standard.objects.get(code="GB/T 30001-2021").status == Status.UPCOMING
    assert AuditEntry.objects.filter(action="standards.import").count() == 2


def test_a_json_that_is_not_a_list_is_refused(admin_user):
    from zhibiao.core.uploads import UploadError

    with pytest.raises(UploadError):
        services.import_standards(admin_user, _csv('{"a": 1}', "x.json"), name="x.json")


def test_a_json_nested_too_deeply_is_refused_with_a_message(users):
    """json decodes nested arrays recursively: 100 KB of "[" raised RecursionError (a 500)."""
    before = Standard.objects.count()
    answer = client_for(users["admin"]).post(
        reverse("standards:import"), {"file": _csv("[" * 100_000, "深.json")}
    )
    assert answer.status_code == 200
    assert "JSON" in answer.content.decode()
    assert Standard.objects.count() == before


def test_import_page_matrix(users):
    url = reverse("standards:import")
    assert client_for(None).get(url).status_code == 302
    for role in ("enterprise", "chamber", "expert"):
        assert client_for(users[role]).get(url).status_code == 403
    bad = client_for(users["admin"]).post(url, {"file": _csv("标准号,标准名称\nnot a code,x\n")})
    assert bad.status_code == 200
    assert "未导入任何数据" in bad.content.decode()
    good = client_for(users["admin"]).post(
        url, {"file": _csv("标准号,标准名称\nGB/T 9-2020,样例\n")}
    )
    assert good.status_code == 302
    assert Standard.objects.filter(code="GB/T 9-2020").exists()


def test_shipped_catalogue_is_real_and_idempotent(real_catalogue):
    assert Standard.objects.count() > 3400
    assert (
        Standard.objects.get(code="GB/T 42061-2022").title == "医疗器械 质量管理体系 用于法规的要求"
    )
    # The sports catalogue's replacedBy (codes only) and the announcement's 替代标准 column.
    assert Replacement.objects.filter(
        old__code="GB 19272-2011", new__code="GB 19272-2024", kind=LinkKind.EXPLICIT
    ).exists()
    assert Replacement.objects.filter(
        old__code="YY 0671.2-2011", new__code="YY 0671-2021", kind=LinkKind.EXPLICIT
    ).exists()
    assert Replacement.objects.filter(kind=LinkKind.INFERRED).count() > 10
    # "与GB9706.1-2020同步实施" takes that standard's date.
    again = services.load_shipped_catalogue()
    assert not any(result.changed for result in again)


def test_demo_with_catalogue_loads_once(settings, db):
    from zhibiao.demo.services import load_demo
    from zhibiao.standards.models import Declaration, GroupStandard, LeaderEntry

    settings.DEMO_MODE = True
    settings.DEMO_CATALOGUE = True
    load_demo()
    assert Standard.objects.count() > 3400
    assert Declaration.objects.filter(status="published").count() == 2
    assert LeaderEntry.objects.filter(is_leader=True).count() == 2
    group = GroupStandard.objects.get()
    assert group.adopted_by.name == "上海市奉贤区市场监督管理局"
    assert not load_demo().changed


def test_detail_page_shows_both_kinds(small_catalogue):
    old = Standard.objects.get(code="GB/T 16886.1-2011")
    body = client_for(None).get(old.get_absolute_url()).content.decode()
    assert "GB/T 16886.1-2022" in body
    assert "推断" in body


def test_dated_statuses_change_when_their_day_comes(small_catalogue):
    """An upcoming standard comes into force on its implementation date and a current one is
    withdrawn on its withdrawal date, without a new import (Celery beat, daily); the search
    sees the change and ranks by the new status."""
    import datetime

    from zhibiao.standards.catalogue import search_rank
    from zhibiao.standards.models import Standard, Status, TitleToken
    from zhibiao.standards.search import search
    from zhibiao.standards.services import apply_dated_statuses

    today = datetime.date(2030, 6, 1)
    first, second, third = Standard.objects.filter(status=Status.CURRENT).order_by("pk")[:3]
    Standard.objects.filter(pk=first.pk).update(
        status=Status.UPCOMING, effective_on=today, withdrawn_on=None
    )
    Standard.objects.filter(pk=second.pk).update(withdrawn_on=today)
    Standard.objects.filter(pk=third.pk).update(
        status=Status.UPCOMING, effective_on=today + datetime.timedelta(days=1), withdrawn_on=None
    )
    current_before = search("", status="current").total

    assert apply_dated_statuses(today) == 2
    statuses = dict(Standard.objects.values_list("pk", "status"))
    assert statuses[first.pk] == Status.CURRENT
    assert statuses[second.pk] == Status.WITHDRAWN
    assert statuses[third.pk] == Status.UPCOMING  # its day has not come
    assert search("", status="current").total == current_before  # one in, one out
    assert second.code in [s.code for s in search("", status="withdrawn").standards]
    ranks = set(TitleToken.objects.filter(standard=second).values_list("rank", flat=True))
    assert ranks == {search_rank(Status.WITHDRAWN, second.title)}
    assert apply_dated_statuses(today) == 0  # nothing left to move
