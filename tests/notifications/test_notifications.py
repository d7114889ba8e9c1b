"""Notifications: inbox rows, e-mail after commit, and each user's own inbox only."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.clients import client_for
from zhibiao.notifications.models import Notification
from zhibiao.notifications.services import notify

pytestmark = pytest.mark.django_db


def test_notify_writes_inbox_and_mails_after_commit(users, django_capture_on_commit_callbacks):
    users["enterprise"].email = "qm@example.org"
    users["enterprise"].save()
    with django_capture_on_commit_callbacks(execute=True):
        count = notify(
            [users["enterprise"], users["enterprise"], users["provider"]],
            kind="test",
            title="新的政策",
            link="/measures/mine/",
        )
        assert mail.outbox == []  # no mail before the commit
    assert count == 2  # the same user twice is notified once
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["qm@example.org"]
    assert Notification.objects.get(recipient=users["enterprise"]).emailed


def test_inbox_is_private_and_marks_read(users):
    notify([users["enterprise"]], kind="test", title="给企业的通知", link="/")
    mine = Notification.objects.get()
    other = client_for(users["provider"])
    assert "给企业的通知" not in other.get(reverse("notifications:inbox")).content.decode()
    assert other.post(reverse("notifications:open", args=[mine.pk])).status_code == 404
    client = client_for(users["enterprise"])
    assert "给企业的通知" in client.get(reverse("notifications:inbox")).content.decode()
    assert client.post(reverse("notifications:open", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client_for(None).get(reverse("notifications:inbox")).status_code == 302


def test_unread_count_in_header(users):
    notify([users["enterprise"]], kind="test", title="x")
    body = client_for(users["enterprise"]).get("/").content.decode()
    assert 'badge text-bg-light">1<' in body


def test_a_title_with_line_breaks_is_mailed_on_one_line(users, django_capture_on_commit_callbacks):
    """Titles name what people typed (an attendee's name, an event's title), which may hold a
    line break; Django refuses such a mail subject, which made the operation that sent it a
    server error after it had committed."""
    users["enterprise"].email = "qm@example.org"
    users["enterprise"].save()
    with django_capture_on_commit_callbacks(execute=True):
        notify([users["enterprise"]], kind="registration.promoted", title="座位空出：张\n三\r\n")
    assert [message.subject for message in mail.outbox] == ["座位空出：张 三"]
    row = Notification.objects.get()
    assert row.emailed and row.title == "座位空出：张\n三\r\n"
