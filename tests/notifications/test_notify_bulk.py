"""notify_bulk: the fan-out path (issue 15) writes one row per user and title, skips inactive
users, and sends no e-mail (the weekly digest does)."""

from __future__ import annotations

import pytest
from django.core import mail

from tests.factories import make_user
from zhibiao.accounts.models import Role
from zhibiao.notifications.models import Notification
from zhibiao.notifications.services import notify_bulk

pytestmark = pytest.mark.django_db


def test_one_row_per_user_and_title_active_users_only(django_capture_on_commit_callbacks):
    alice = make_user(Role.ENTERPRISE, email="a@example.com")
    bob = make_user(Role.ENTERPRISE)
    gone = make_user(Role.ENTERPRISE, is_active=False)
    messages = [
        (alice.pk, "GB/T 1-2020 被代替", "声明", "/standards/1/"),
        (alice.pk, "GB/T 1-2020 被代替", "报告", "/standards/1/"),  # the same change twice
        (alice.pk, "GB/T 2-2020 废止", "声明", "/standards/2/"),
        (bob.pk, "GB/T 1-2020 被代替", "起草", "/standards/1/"),
        (gone.pk, "GB/T 1-2020 被代替", "声明", "/standards/1/"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_bulk(messages, kind="standards.status_change") == 3
    rows = Notification.objects.order_by("recipient_id", "title")
    assert [(n.recipient_id, n.title, n.body) for n in rows] == sorted(
        [
            (alice.pk, "GB/T 1-2020 被代替", "声明"),
            (alice.pk, "GB/T 2-2020 废止", "声明"),
            (bob.pk, "GB/T 1-2020 被代替", "起草"),
        ]
    )
    assert all(n.kind == "standards.status_change" and n.read_at is None for n in rows)
    assert mail.outbox == []
    assert notify_bulk([], kind="standards.status_change") == 0
