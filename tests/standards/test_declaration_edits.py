"""Edits of a self-declaration: a save from a stale page is refused with what was typed kept,
never dropping what a colleague saved since."""

from __future__ import annotations

import pytest

from tests.clients import client_for
from tests.factories import EnterpriseUserFactory
from tests.standards.conftest import WITHDRAWN, edit_url, shown_revision
from zhibiao.standards import services
from zhibiao.standards.models import Declaration

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
