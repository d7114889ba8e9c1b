"""Who may host events is decided once (`services.may_host`, `services.HOST_ROLES`), and the
API's PATCH changes what the event page changes (audience, host) with the page's checks."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.clients import client_for, token_client
from zhibiao.accounts.models import Role
from zhibiao.bases.models import BaseStatus
from zhibiao.events import services
from zhibiao.events.models import Event

pytestmark = pytest.mark.django_db


def test_one_answer_to_who_may_host(base, manager, users, chamber_user):
    assert services.may_host(users["admin"]) and services.may_host(chamber_user)
    assert services.may_host(manager)
    assert not services.may_host(users["enterprise"]) and not services.may_host(users["expert"])
    base.status = BaseStatus.SUSPENDED
    base.save(update_fields=["status"])
    assert not services.may_host(manager)  # a suspended base hosts nothing
    assert client_for(manager).get(reverse("events:create")).status_code == 403
    assert set(services.HOST_ROLES) == {Role.ADMIN, Role.BASE_MANAGER, Role.CHAMBER}


def test_the_api_changes_audience_and_host_as_the_page_does(course, manager, users, other_org):
    url = f"/api/v1/events/{course.pk}"
    audience = {
        "audience": "chosen",
        "audience_towns": ["jinhui"],
        "audience_organisations": [other_org.pk],
    }
    changed = token_client(manager).patch(url, audience, content_type="application/json")
    assert changed.status_code == 200, changed.content
    course.refresh_from_db()
    assert course.audience == "chosen" and course.audience_towns == ["jinhui"]
    assert list(course.audience_organisations.all()) == [other_org]
    unknown = {"audience_organisations": [other_org.pk + 1000]}
    response = token_client(manager).patch(url, unknown, content_type="application/json")
    assert response.status_code == 422
    # Only district staff choose the host, on the page as in the API.
    host = {"host_kind": "district"}
    response = token_client(manager).patch(url, host, content_type="application/json")
    assert response.status_code == 422
    assert Event.objects.get(pk=course.pk).host_kind == "base"
    response = token_client(users["admin"]).patch(url, host, content_type="application/json")
    assert response.status_code == 200
    course.refresh_from_db()
    assert course.host_kind == "district" and course.host_base is None
