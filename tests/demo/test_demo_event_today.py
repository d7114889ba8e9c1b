"""The demo holds an event today, under way whenever it is loaded, with people registered and
nobody checked in yet, so that the check-in desk can be tried at once (issue 13)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from zhibiao.accounts.models import User
from zhibiao.demo import story
from zhibiao.demo.services import load_demo
from zhibiao.demo.training import _today_times
from zhibiao.events import services
from zhibiao.events.models import Event

pytestmark = pytest.mark.django_db


def test_the_event_today_is_under_way_with_registrations(demo):
    event = Event.objects.get(title=story.TODAY["title"])
    assert timezone.localtime(event.starts_at).date() == timezone.localdate()
    opens, closes = event.check_in_window()
    assert opens <= timezone.now() < closes
    assert event.registrations.filter(status="confirmed").count() == story.TODAY["registered"]
    assert event.seats_taken == story.TODAY["registered"]
    base = User.objects.get(username="base")
    assert Event.objects.restrict(base, "manage").filter(pk=event.pk).exists()
    person = event.registrations.order_by("pk").first()
    assert services.check_in(base, event, services.check_in_code(person)).status == "attended"


@pytest.mark.parametrize("hour", [0, 3, 9, 16, 22, 23])
def test_the_session_is_under_way_at_any_hour_of_loading(hour):
    at = timezone.make_aware(datetime.datetime(2026, 3, 10, hour, 59))
    with time_machine.travel(at, tick=False):
        start, end = _today_times()
        assert timezone.localtime(start).date() == timezone.localdate()
        assert start <= timezone.now() < end - datetime.timedelta(hours=2)


def test_a_load_on_a_later_day_moves_it_to_that_day(demo):
    event = Event.objects.get(title=story.TODAY["title"])
    registrations = set(event.registrations.values_list("pk", flat=True))
    later = timezone.now() + datetime.timedelta(days=3)
    with time_machine.travel(later, tick=False):
        assert load_demo().changed
        event.refresh_from_db()
        assert timezone.localtime(event.starts_at).date() == timezone.localdate()
        opens, closes = event.check_in_window()
        assert opens <= timezone.now() < closes
        assert set(event.registrations.values_list("pk", flat=True)) == registrations
        assert not load_demo().changed
