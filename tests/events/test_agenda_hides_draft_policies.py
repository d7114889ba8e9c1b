"""An event's agenda names the policies it releases, but a draft policy stays hidden behind it
from everyone but staff, on the page and in the API."""

import datetime

import pytest

from tests.clients import client_for
from zhibiao.events.models import AgendaItem
from zhibiao.policies.models import PolicyDocument

pytestmark = pytest.mark.django_db


def test_a_draft_policy_stays_hidden_behind_the_agenda(course, admin_user):
    draft = PolicyDocument.objects.create(
        title="尚未发布的实施细则", level="district", issue_date=datetime.date(2026, 1, 1),
        effective_from=datetime.date(2026, 1, 1), is_published=False,
    )  # fmt: skip
    AgendaItem.objects.create(event=course, order=1, kind="release", title="发布", policy=draft)
    page = client_for(None).get(course.get_absolute_url()).content.decode()
    assert "尚未发布的实施细则" not in page
    api = client_for(None).get(f"/api/v1/events/{course.pk}").json()
    assert api["agenda"][0]["policy_id"] is None
    staff = client_for(admin_user).get(course.get_absolute_url()).content.decode()
    assert "尚未发布的实施细则" in staff
