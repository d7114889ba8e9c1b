"""District staff write and correct news reports in pages: links to what they concern,
drafts kept off the public site, wrong input named, nothing half-saved."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for
from zhibiao.audit.models import AuditEntry
from zhibiao.news.models import NewsItem

pytestmark = pytest.mark.django_db
NEW = reverse("news:new")


def _data(**values) -> dict:
    return {
        "title": "区质量标准化宣贯会在实训基地举行",
        "published_on": timezone.localdate().isoformat(),
        "source": "区市场监管局",
        "summary": "百余家民营企业参加。",
        "body": "会上，专家解读了标准化政策。",
        "is_published": "on",
        **values,
    }


def test_who_may_write_news(client, users, base):
    assert client.get(NEW).status_code == 302  # to sign in
    for role in ("enterprise", "expert", "chamber", "provider"):
        assert client_for(users[role]).get(NEW).status_code == 403, role
        assert client_for(users[role]).post(NEW, _data()).status_code == 403, role
    assert not NewsItem.objects.exists()
    page = client_for(users["admin"]).get(NEW)
    assert page.status_code == 200
    assert f'value="{timezone.localdate().isoformat()}"' in page.content.decode()  # today
    listing = client_for(users["admin"]).get(reverse("news:list")).content.decode()
    assert NEW in listing and NEW not in client.get(reverse("news:list")).content.decode()


def test_staff_publish_a_report_linked_to_an_event_and_a_base(users, course, base):
    response = client_for(users["admin"]).post(NEW, _data(events=[course.pk], bases=[base.pk]))
    item = NewsItem.objects.get()
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    assert list(item.events.all()) == [course] and list(item.bases.all()) == [base]
    public = client_for(None).get(item.get_absolute_url()).content.decode()
    assert item.title in public and course.title in public
    assert AuditEntry.objects.filter(action="news.create").count() == 1


def test_a_draft_or_a_future_date_stays_off_the_site(users):
    client = client_for(users["admin"])
    client.post(NEW, _data(title="草稿", is_published=""))
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    client.post(NEW, _data(title="明日发布", published_on=tomorrow))
    assert NewsItem.objects.count() == 2
    public = client_for(None).get(reverse("news:list")).content.decode()
    assert "草稿" not in public and "明日发布" not in public
    staff = client.get(reverse("news:list")).content.decode()
    assert "草稿" in staff and "明日发布" in staff


def test_missing_text_is_named_and_nothing_is_saved(users):
    response = client_for(users["admin"]).post(NEW, _data(title="", body="", published_on="x"))
    assert response.status_code == 200
    assert {"title", "body", "published_on"} <= set(response.context["form"].errors)
    assert not NewsItem.objects.exists()


def test_staff_correct_a_report_and_its_links(users, course):
    client = client_for(users["admin"])
    client.post(NEW, _data(events=[course.pk]))
    item = NewsItem.objects.get()
    item_title_before = item.title
    edit = reverse("news:edit", args=[item.pk])
    page = client.get(edit)
    assert page.context["form"].initial["title"] == item.title
    response = client.post(edit, _data(title="更正后的标题", events=[]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "更正后的标题" and not item.events.exists()
    entry = AuditEntry.objects.get(action="news.update")
    assert entry.data["changes"]["title"] == [item_title_before, "更正后的标题"]
    assert client_for(users["enterprise"]).post(edit, _data(title="x")).status_code == 403
    assert client.get(reverse("news:edit", args=[item.pk + 99])).status_code == 404


def test_the_api_writes_news_with_the_same_rules(users, course, base):
    from tests.clients import token_client

    payload = {
        "title": "接口发布的新闻",
        "published_on": timezone.localdate().isoformat(),
        "body": "正文",
        "event_ids": [course.pk],
        "batch_numbers": [base.batch.number],
    }
    assert client_for(None).post("/api/v1/news", payload, "application/json").status_code == 401
    wrong = token_client(users["enterprise"]).post("/api/v1/news", payload, "application/json")
    assert wrong.status_code == 403 and not NewsItem.objects.exists()
    staff = token_client(users["admin"])
    created = staff.post("/api/v1/news", payload, "application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["event_ids"] == [course.pk] and body["batch_numbers"] == [base.batch.number]
    unknown = staff.post("/api/v1/news", {**payload, "event_ids": [999999]}, "application/json")
    assert unknown.status_code == 422 and "999999" in unknown.json()["errors"]["event_ids"][0]
    assert NewsItem.objects.count() == 1  # nothing half-saved
    url = f"/api/v1/news/{body['id']}"
    changed = staff.put(url, {**payload, "title": "改", "event_ids": []}, "application/json")
    assert changed.status_code == 200 and changed.json()["event_ids"] == []
    assert (
        token_client(users["enterprise"]).put(url, payload, "application/json").status_code == 403
    )


def test_a_link_id_no_record_can_have_is_a_form_error(users, base):
    """'9' * 30 in a linked-record box overflowed SQLite inside Django's own id check."""
    admin = client_for(users["admin"])
    for name in ("events", "policies", "batches", "bases"):
        page = admin.post(NEW, _data(**{name: ["9" * 30]}))
        assert page.status_code == 200 and name in page.context["form"].errors, name
    assert not NewsItem.objects.exists()


def test_a_correction_of_the_links_alone_is_in_the_trail(users, base):
    admin = client_for(users["admin"])
    admin.post(NEW, _data())
    item = NewsItem.objects.get()
    admin.post(reverse("news:edit", args=[item.pk]), _data(bases=[base.pk]))
    entry = AuditEntry.objects.filter(action="news.update").latest("at")
    assert "bases" in entry.data["changes"]


def test_two_staff_correcting_one_report_cannot_overwrite_each_other(users):
    """Two staff open the same report; the first saves a new title, the second then saves
    the text from a page that still showed the old title: refused with a word, not the first
    correction silently undone."""
    item = NewsItem.objects.create(
        title="原标题", published_on=timezone.localdate(), body="原正文", source="区市场监管局"
    )
    first, second = client_for(users["admin"]), client_for(users["admin"])
    url = reverse("news:edit", args=[item.pk])
    seen_first = first.get(url).context["form"].initial["seen"]
    seen_second = second.get(url).context["form"].initial["seen"]
    assert seen_first == seen_second
    saved = first.post(url, _data(title="新标题", body="原正文", seen=seen_first))
    assert saved.status_code == 302
    stale = second.post(url, _data(title="原标题", body="新正文", seen=seen_second))
    assert stale.status_code == 200
    assert stale.context["form"].non_field_errors()
    item.refresh_from_db()
    assert (item.title, item.body) == ("新标题", "原正文")
    assert AuditEntry.objects.filter(action="news.update").count() == 1
    # reloaded, the second sees the first's title and saves the text over it
    seen_again = second.get(url).context["form"].initial["seen"]
    assert (
        second.post(url, _data(title="新标题", body="新正文", seen=seen_again)).status_code == 302
    )
    item.refresh_from_db()
    assert (item.title, item.body) == ("新标题", "新正文")
