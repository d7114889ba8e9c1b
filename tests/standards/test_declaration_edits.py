"""Edits of a self-declaration and of a group standard's adoption: a save from a stale page is
refused with what was typed kept, never dropping what a colleague saved since."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from tests.clients import client_for
from tests.factories import EnterpriseUserFactory, make_organisation
from tests.standards.conftest import WITHDRAWN, edit_url, shown_revision
from zhibiao.standards import services
from zhibiao.standards.models import Declaration, GroupStandard

pytestmark = pytest.mark.django_db


def test_a_stale_page_does_not_drop_a_colleagues_standard(small_catalogue, org, enterprise_user):
    colleague = EnterpriseUserFactory(organisation=org)
    declaration = services.save_declaration(
        enterprise_user, {**WITHDRAWN, "standards": "GB/T 42061-2022"}
    )
    client = client_for(enterprise_user)
    shown = shown_revision(client, edit_url(declaration))
    services.save_declaration(
        colleague,
        {**WITHDRAWN, "standards": "GB/T 42061-2022\nGB 19272-2024"},
        Declaration.objects.get(pk=declaration.pk),
        seen=int(shown),
    )

    stale = {**WITHDRAWN, "product": "商用跑步机", "standards": "GB/T 42061-2022"}
    response = client.post(edit_url(declaration), {**stale, "revision": shown})

    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors()
    assert form["product"].value() == "商用跑步机"
    declaration.refresh_from_db()
    assert declaration.product == "跑步机"
    assert set(declaration.standards.values_list("code", flat=True)) == {
        "GB/T 42061-2022",
        "GB 19272-2024",
    }
    fresh = shown_revision(client, edit_url(declaration))
    assert client.post(edit_url(declaration), {**stale, "revision": fresh}).status_code == 302
    assert Declaration.objects.get(pk=declaration.pk).product == "商用跑步机"


def test_an_adoption_from_a_stale_page_is_refused(small_catalogue, users, admin_user):
    department = make_organisation(
        kind="government", name="上海市奉贤区测试局", uscc=None, ownership="", industry=""
    )
    group = services.publish_group_standard(
        users["chamber"],
        {
            "code": "T/FXTEST 001-2023",
            "title": "测试团体标准",
            "published_on": datetime.date(2023, 8, 1),
            "adopted_by": department,
            "adopted_on": datetime.date(2023, 9, 1),
            "adoption_document": "奉市监〔2023〕1号",
        },
    )
    url = reverse("standards:group_adoption", args=[group.pk])
    client = client_for(users["chamber"])
    page = client.get(url).content.decode()
    shown = re.search(r'name="seen" value="([^"]+)"', page).group(1)
    services.record_adoption(admin_user, group, {"adoption_document": "奉市监〔2023〕2号"})

    posted = {
        "adopted_by": department.pk,
        "adopted_on": "2023-09-02",
        "adoption_document": "奉市监〔2023〕1号",
    }
    response = client.post(url, {**posted, "seen": shown})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    group = GroupStandard.objects.get(pk=group.pk)
    assert (group.adopted_on, group.adoption_document) == (
        datetime.date(2023, 9, 1),
        "奉市监〔2023〕2号",
    )
    assert group.verification == "verified"
    fresh = {**posted, "seen": group.recorded_at.isoformat()}
    assert client.post(url, fresh).status_code == 302
    assert GroupStandard.objects.get(pk=group.pk).adopted_on == datetime.date(2023, 9, 2)


def test_an_adoption_moved_to_another_department_is_saved_and_audited(
    small_catalogue, users, admin_user
):
    """The adopting department is a record: the audit entry keeps its id (an Organisation in
    the entry's JSON failed the save with a server error)."""
    from zhibiao.audit.models import AuditEntry

    first, second = (
        make_organisation(kind="government", name=name, uscc=None, ownership="", industry="")
        for name in ("上海市奉贤区测试局", "上海市奉贤区另一测试局")
    )
    group = services.publish_group_standard(
        users["chamber"],
        {
            "code": "T/FXTEST 002-2023",
            "title": "测试团体标准二",
            "published_on": datetime.date(2023, 8, 1),
            "adopted_by": first,
            "adopted_on": datetime.date(2023, 9, 1),
            "adoption_document": "奉市监〔2023〕1号",
        },
    )
    url = reverse("standards:group_adoption", args=[group.pk])
    response = client_for(users["chamber"]).post(
        url,
        {
            "adopted_by": second.pk,
            "adopted_on": "2023-09-01",
            "adoption_document": "奉市监〔2023〕1号",
            "seen": group.recorded_at.isoformat(),
        },
    )
    assert response.status_code == 302
    group = GroupStandard.objects.get(pk=group.pk)
    assert group.adopted_by == second and group.verification == "pending"
    entry = AuditEntry.objects.filter(action="group_standard.adoption").latest("pk")
    assert entry.data["changes"]["adopted_by"] == [first.pk, second.pk]
