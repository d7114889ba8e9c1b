"""Visitors' pages from the shared cache (zhibiao.core.pagecache): kept while no business
operation commits, never for a signed-in user, one per language, and with each visitor's own
CSRF token, so that the forms on a kept page (sign-in, language) still work."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for
from tests.events.conftest import course_fields
from zhibiao.core.pagecache import HEADER, PLACEHOLDER
from zhibiao.events import services as events
from zhibiao.standards import services as standards

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 60


def test_a_visitors_page_is_served_from_the_cache_the_second_time():
    first = Client().get(reverse("events:list"))
    second = Client().get(reverse("events:list"))
    assert (first[HEADER], second[HEADER]) == ("miss", "hit")
    assert first.status_code == second.status_code == 200
    # The same page, but each with the visitor's own token (below) instead of the placeholder.
    assert PLACEHOLDER not in second.content.decode()
    assert "<title>" in second.content.decode()


def test_a_published_event_shows_on_the_next_visitors_request(
    admin_user, django_capture_on_commit_callbacks
):
    url = reverse("events:list")
    Client().get(url)
    assert Client().get(url)[HEADER] == "hit"
    starts = timezone.now() + datetime.timedelta(days=3)
    fields = course_fields("缓存之后发布的宣贯会", starts, timezone.now(), capacity=30)
    with django_capture_on_commit_callbacks(execute=True):  # the generation moves on commit
        events.create_event(admin_user, {**fields, "is_public": True})
    after = Client().get(url)
    assert after[HEADER] == "miss"
    assert "缓存之后发布的宣贯会" in after.content.decode()


def test_an_imported_standard_shows_on_the_next_search(
    admin_user, django_capture_on_commit_callbacks
):
    url = reverse("standards:list") + "?q=缓存测试"
    assert "GB/T 99999-2026" not in Client().get(url).content.decode()
    assert Client().get(url)[HEADER] == "hit"
    sheet = io.BytesIO("标准号,标准名称,状态\nGB/T 99999-2026,缓存测试用标准,现行\n".encode())
    with django_capture_on_commit_callbacks(execute=True):
        standards.import_standards(admin_user, sheet, name="one.csv")
    assert "GB/T 99999-2026" in Client().get(url).content.decode()


def test_a_signed_in_user_never_gets_a_visitors_page(enterprise_user):
    url = reverse("events:list")
    Client().get(url)
    assert Client().get(url)[HEADER] == "hit"
    page = client_for(enterprise_user).get(url)
    assert page.status_code == 200
    assert HEADER not in page
    assert str(enterprise_user) in page.content.decode()
    # ... and what they see is not kept for visitors either.
    assert str(enterprise_user) not in Client().get(url).content.decode()


def test_each_language_has_its_own_page():
    url = reverse("events:list")
    chinese = Client().get(url)
    english = Client(headers={"accept-language": "en"}).get(url)
    assert english[HEADER] == "miss"
    assert 'lang="en"' in english.content.decode()
    assert 'lang="zh-hans"' in chinese.content.decode()
    again = Client(cookies={"django_language": "en"}).get(url)
    assert again[HEADER] == "hit"
    assert 'lang="en"' in again.content.decode()


def test_every_visitor_gets_their_own_csrf_token_and_the_forms_of_a_kept_page_work():
    """The language switch is a POST form on every page, with the CSRF token; the sign-in
    page itself is never kept (Django's LoginView says never_cache)."""
    url = reverse("events:list")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one, page_two = first.get(url), second.get(url)
    assert page_two[HEADER] == "hit"
    token_one = TOKEN.search(page_one.content.decode()).group(1)
    token_two = TOKEN.search(page_two.content.decode()).group(1)
    assert token_one != token_two
    assert "csrftoken" in page_two.cookies  # the second visitor's own cookie, set as usual
    switch = reverse("set_language")
    form = {"language": "en", "next": url}
    answer = second.post(switch, {**form, "csrfmiddlewaretoken": token_two})
    assert answer.status_code == 302
    # The first visitor's token does not pass with the second visitor's cookie: it is not a
    # copy of one token handed to everybody.
    third = Client(enforce_csrf_checks=True)
    assert third.get(url)[HEADER] == "hit"
    assert third.post(switch, {**form, "csrfmiddlewaretoken": token_one}).status_code == 403
    assert Client().get(reverse("accounts:login")).get(HEADER) is None


def test_a_page_with_a_message_waiting_is_not_kept():
    url = reverse("events:list")
    Client().get(url)
    visitor = Client()
    visitor.cookies["messages"] = "anything"
    assert HEADER not in visitor.get(url)


def test_nothing_is_kept_when_the_setting_is_zero(settings):
    settings.PAGE_CACHE_SECONDS = 0
    Client().get(reverse("events:list"))
    assert HEADER not in Client().get(reverse("events:list"))
