"""Events: the story's two conferences with their agenda (from the demo); internal events stay
internal and an event ends after it starts (built without it)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for, page_and_api_status
from tests.factories import EventFactory
from zhibiao.events.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def internal(db):
    now = timezone.now()
    return Event.objects.create(
        kind="course",
        title="内部筹备会",
        starts_at=now + datetime.timedelta(days=3),
        ends_at=now + datetime.timedelta(days=3, hours=2),
        is_public=False,
    )


def test_conference_page_links_committee_bases_and_policy(demo, django_assert_max_num_queries):
    event = Event.objects.get(title__startswith="奉贤区2023年质量和标准化创新大会")
    with django_assert_max_num_queries(12):
        response = client_for(None).get(reverse("events:detail", args=[event.pk]))
    body = response.content.decode()
    assert "揭牌" in body
    assert "授牌" in body
    assert "主持会议" in body
    assert "奉贤区民营经济质量和标准化工作委员会" in body
    assert "上海申驰实业股份有限公司" in body  # the ten bases behind the plaque awarding
    assert "中共中央 国务院关于促进民营经济发展壮大的意见" in body
    assert "2023-07-24 14:00" in body


def test_list_shows_both_conferences(demo):
    body = client_for(None).get(reverse("events:list")).content.decode()
    assert "527为企服务日" in body
    assert "质量和标准化政策宣贯会" in body


@pytest.mark.parametrize(("role", "status"), [(None, 404), ("expert", 404), ("admin", 200)])
def test_internal_events_hidden(internal, users, role, status):
    page, operation = reverse("events:detail", args=[internal.pk]), f"/api/v1/events/{internal.pk}"
    assert page_and_api_status(users.get(role), page, operation) == (status, status)


def test_api_agenda(demo):
    event = Event.objects.get(title__contains="527")
    body = client_for(None).get(f"/api/v1/events/{event.pk}").json()
    assert [item["kind"] for item in body["agenda"]] == ["release", "founding"]
    assert body["agenda"][1]["committee_id"] is not None
    listed = client_for(None).get("/api/v1/events", {"kind": "conference"}).json()
    assert listed["count"] == 2


def test_event_must_end_after_start(db):
    event = EventFactory()
    event.ends_at = event.starts_at
    with pytest.raises(ValidationError) as caught:
        event.full_clean()
    assert "ends_at" in caught.value.message_dict
