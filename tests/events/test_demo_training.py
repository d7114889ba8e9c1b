"""The demo's training: the story's report as news, coming events open for registration, last
year's attendance and feedback, the base manager's events; a second load changes nothing."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for
from zhibiao.accounts.models import User
from zhibiao.demo.services import load_demo
from zhibiao.events.models import Certificate, Event, Feedback, Registration
from zhibiao.news.models import NewsItem

pytestmark = pytest.mark.django_db


def test_the_report_is_news_linked_to_what_it_concerns(demo):
    item = NewsItem.objects.get()
    assert item.title.startswith("以质量与标准化为导向 助力民营经济高质量发展")
    assert "三个聚焦" in item.body and "?" not in item.body
    assert [e.title for e in item.events.all()] == [
        "奉贤区2023年质量和标准化创新大会暨质量和标准化政策宣贯会"
    ]
    policies = {p.short_title for p in item.policies.all()}
    assert policies == {"若干措施", "促进民营经济发展壮大的意见"}
    assert [b.number for b in item.batches.all()] == [1]
    page = client_for(None).get(reverse("news:detail", args=[item.pk])).content.decode()
    assert "上海申驰实业股份有限公司" in page  # the report names the ten bases
    base_page = client_for(None).get(
        Event.objects.get(title__startswith="企业标准领跑者").host_base.get_absolute_url()
    )
    assert item.title in base_page.content.decode()


def test_coming_events_take_registration(demo):
    coming = Event.objects.filter(title__endswith="（演示）") | Event.objects.filter(
        title__endswith="（演示课程）"
    )
    assert coming.count() == 4
    assert all(event.registration_is_open() for event in coming)
    enterprise = User.objects.get(username="enterprise")
    assert all(event.admits(enterprise) for event in coming)  # 贤达精密 is in Qingcun
    publicity = coming.get(kind="publicity")
    assert publicity.host_kind == "district" and publicity.speakers.count() == 2
    base = User.objects.get(username="base")
    hosted = Event.objects.restrict(base, "manage")
    assert set(hosted.values_list("host_base__organisation__name", flat=True)) == {
        "上海晨光文具股份有限公司"
    }


def test_last_years_attendance_and_feedback(demo):
    attended = Registration.objects.filter(status="attended")
    assert attended.count() == Certificate.objects.count() > 100
    no_shows = Registration.objects.filter(status="confirmed", event__ends_at__lt=timezone.now())
    assert no_shows.count() == 136 - attended.count()
    assert Feedback.objects.count() == 30
    assert not Feedback.objects.exclude(registration__status="attended").exists()
    for event in Event.objects.filter(registrations__isnull=False).distinct():
        seated = event.registrations.filter(status__in=["confirmed", "attended"]).count()
        assert event.seats_taken == seated <= event.capacity


def test_second_load_adds_no_training_rows(demo):
    counts = [model.objects.count() for model in (Event, Registration, Feedback, NewsItem)]
    assert not load_demo().changed
    assert [model.objects.count() for model in (Event, Registration, Feedback, NewsItem)] == counts
