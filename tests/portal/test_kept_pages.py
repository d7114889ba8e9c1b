"""Signed-in pages kept per user (zhibiao.core.pagecache.kept_per_user): the workbench, 我的政策,
the applications list and the dashboard come from the shared cache on the next request, each
user their own, until a business operation commits or the inbox changes; and what they cost
when they do not (我的政策's sections kept per enterprise)."""

from __future__ import annotations

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory
from django.urls import reverse

from tests.clients import client_for as signed_in
from zhibiao.accounts.models import User
from zhibiao.core import generations
from zhibiao.core.pagecache import HEADER
from zhibiao.dashboard import indicators
from zhibiao.dashboard import services as dashboard_services
from zhibiao.notifications.services import mark_read, notify

PAGES = {
    "enterprise": ["portal:workbench", "portal:mine"],
    "admin": ["portal:workbench", "applications:list", "dashboard:index"],
}


@pytest.fixture
def people(demo, settings) -> dict[str, User]:
    settings.PAGE_CACHE_SECONDS = 60
    return {user.username: user for user in User.objects.filter(username__in=PAGES)}


def client_for(user: User):
    """A signed-in client past its first request, which writes the session (the sign-in's
    time: zhibiao.accounts.middleware), so that no page of that request is kept."""
    client = signed_in(user)
    client.get(reverse("portal:home"))
    return client


@pytest.mark.parametrize(
    ("role", "page"), [(role, page) for role, pages in PAGES.items() for page in pages]
)
def test_the_second_request_is_the_kept_page_with_one_query(
    people, role, page, django_assert_max_num_queries
):
    client = client_for(people[role])
    first = client.get(reverse(page))
    assert (first.status_code, first[HEADER]) == (200, "miss")
    with django_assert_max_num_queries(1):  # the signed-in user's row, nothing else
        second = client.get(reverse(page))
    assert second[HEADER] == "hit"
    assert str(people[role]) in second.content.decode()


def test_each_user_gets_their_own_page(people):
    admin = client_for(people["admin"]).get(reverse("portal:workbench"))
    enterprise = client_for(people["enterprise"]).get(reverse("portal:workbench"))
    assert enterprise[HEADER] == "miss"
    assert str(people["admin"]) in admin.content.decode()
    assert str(people["admin"]) not in enterprise.content.decode()


def test_a_business_operation_outdates_the_kept_pages(people, django_capture_on_commit_callbacks):
    client = client_for(people["enterprise"])
    client.get(reverse("portal:workbench"))
    assert client.get(reverse("portal:workbench"))[HEADER] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        generations.bump()  # what every service's audit entry does once it commits
    assert client.get(reverse("portal:workbench"))[HEADER] == "miss"


def test_a_new_notification_and_reading_it_show_on_the_next_page(
    people, django_capture_on_commit_callbacks
):
    user = people["enterprise"]
    client = client_for(user)
    mark_read(user)
    client.get(reverse("portal:workbench"))
    assert client.get(reverse("portal:workbench"))[HEADER] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        notify([user], kind="application.returned", title="缓存测试通知")
    page = client.get(reverse("portal:workbench"))
    assert page[HEADER] == "miss"
    badge = '<span class="badge text-bg-light">1</span>'
    assert badge in page.content.decode()
    assert client.get(reverse("portal:workbench"))[HEADER] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        mark_read(user)
    assert badge not in client.get(reverse("portal:workbench")).content.decode()


def test_a_waiting_message_is_shown_not_a_kept_page(people):
    client = client_for(people["enterprise"])
    client.get(reverse("portal:workbench"))
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "已保存缓存测试")
    response = client.get("/")  # any response, to carry the cookie the storage writes
    storage.update(response)
    client.cookies["messages"] = response.cookies["messages"].value
    page = client.get(reverse("portal:workbench"))
    assert HEADER not in page
    assert "已保存缓存测试" in page.content.decode()
    # Shown once, as on any page, and not kept with the page either.
    assert "已保存缓存测试" not in client.get(reverse("portal:workbench")).content.decode()


def test_the_dashboard_is_not_kept_while_its_figures_are_the_previous_ones(people, settings):
    settings.DASHBOARD_CACHE_SECONDS = 45
    indicators.invalidate()
    client = client_for(people["admin"])
    assert client.get(reverse("dashboard:index"))[HEADER] == "miss"
    assert indicators.cube_is_current()
    generations.bump()  # a change committed: the old figures answer while one server rebuilds
    assert not indicators.cube_is_current()


def test_a_dashboard_showing_the_previous_figures_is_not_kept(people, monkeypatch):
    monkeypatch.setattr(dashboard_services, "figures_are_current", lambda: False)
    client = client_for(people["admin"])
    assert HEADER not in client.get(reverse("dashboard:index"))  # rendered, not kept
    assert HEADER not in client.get(reverse("dashboard:index"))
    monkeypatch.setattr(dashboard_services, "figures_are_current", lambda: True)
    client.get(reverse("dashboard:index"))
    assert client.get(reverse("dashboard:index"))[HEADER] == "hit"


def test_my_policies_sections_are_kept_per_enterprise(people, django_assert_max_num_queries):
    """A second user of the same enterprise has a page of their own to render, but not the
    explanations: those are the enterprise's (fifty queries and the rules engine)."""
    user = people["enterprise"]
    first = client_for(user).get(reverse("portal:mine"))
    colleague = User.objects.create_user(
        "enterprise-colleague", password="x" * 12, role=user.role, organisation=user.organisation
    )
    client = client_for(colleague)
    with django_assert_max_num_queries(6):
        page = client.get(reverse("portal:mine"))
    assert page[HEADER] == "miss"

    def entitled(response) -> list[int]:
        return [len(section["entitled"]) for section in response.context["sections"]]

    assert entitled(page) == entitled(first)
    assert sum(entitled(page)) > 0
