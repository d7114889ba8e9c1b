"""A district flag on a self-declaration stays while the declaration still cites what was
flagged (the page says so after saving), and goes with the edit that answers it, the update's
audit entry naming whose flag went and why."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from tests.clients import client_for
from tests.standards.conftest import WITHDRAWN, edit_url, shown_revision
from zhibiao.audit.models import AuditEntry
from zhibiao.standards import services
from zhibiao.standards.models import Declaration

pytestmark = pytest.mark.django_db


def _flagged(enterprise_user, admin_user, data: dict, reason: str = "") -> Declaration:
    declaration = services.save_declaration(enterprise_user, data)
    services.publish_declaration(enterprise_user, declaration)
    declaration = Declaration.objects.get(pk=declaration.pk)
    return services.flag_declaration(admin_user, declaration, reason)


def test_an_edit_that_still_cites_the_withdrawn_standard_keeps_the_flag(
    small_catalogue, enterprise_user, admin_user
):
    declaration = _flagged(enterprise_user, admin_user, WITHDRAWN, "引用的 GB 19272-2011 已废止")
    client = client_for(enterprise_user)
    shown = shown_revision(client, edit_url(declaration))

    response = client.post(
        edit_url(declaration), {**WITHDRAWN, "statement": "声明。", "revision": shown}
    )

    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.statement == "声明。"
    assert declaration.is_flagged and declaration.flagged_by == admin_user
    assert declaration.flag_reason == "引用的 GB 19272-2011 已废止"
    said = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert len(said) == 1 and "GB 19272-2011" in said[0]
    entry = AuditEntry.objects.filter(action="declaration.update").latest("pk")
    assert "flag_cleared" not in entry.data


def test_an_edit_that_drops_the_withdrawn_standard_lifts_the_flag_and_says_so(
    small_catalogue, enterprise_user, admin_user
):
    declaration = _flagged(enterprise_user, admin_user, WITHDRAWN)
    client = client_for(enterprise_user)
    shown = shown_revision(client, edit_url(declaration))

    response = client.post(
        edit_url(declaration),
        {**WITHDRAWN, "standards": "GB 19272-2024", "revision": shown},
        follow=True,
    )

    assert response.status_code == 200
    declaration.refresh_from_db()
    assert not declaration.is_flagged
    assert (declaration.flagged_by, declaration.flag_reason) == (None, "")
    assert not [m for m in response.context["messages"] if m.level_tag == "warning"]
    entry = AuditEntry.objects.filter(action="declaration.update").latest("pk")
    cleared = entry.data["flag_cleared"]
    assert cleared["flagged_by"] == admin_user.get_username()
    assert "GB 19272-2011" in cleared["reason"] and cleared["flagged_at"]


def test_a_flag_in_the_districts_own_words_goes_with_a_change_only(
    small_catalogue, enterprise_user, admin_user
):
    current = {**WITHDRAWN, "standards": "GB/T 42061-2022"}
    declaration = _flagged(enterprise_user, admin_user, current, "声明缺少检验方法")

    kept = services.save_declaration(enterprise_user, current, declaration)
    assert kept.is_flagged
    entry = AuditEntry.objects.filter(action="declaration.update").latest("pk")
    assert "flag_cleared" not in entry.data

    lifted = services.save_declaration(
        enterprise_user, {**current, "statement": "声明：按 GB/T 42061-2022 检验。"}, kept
    )
    assert not lifted.is_flagged
    entry = AuditEntry.objects.filter(action="declaration.update").latest("pk")
    assert entry.data["flag_cleared"]["reason"] == "声明缺少检验方法"
