"""Found in a review of the accounts pages: a revoked token cannot be brought back from the
admin site (only revoked, through the service, audited), a password an administrator sets is
audited, a token's expiry is bounded, and the page showing a new key is never cached."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for
from zhibiao.accounts.models import ApiToken
from zhibiao.accounts.services import create_token, revoke_token, user_for_token
from zhibiao.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_revoked_token_stays_revoked_whatever_the_admin_site_posts(admin_user, enterprise_user):
    token, key = create_token(enterprise_user, name="ERP")
    revoke_token(enterprise_user, token)
    assert user_for_token(key) is None
    admin = client_for(admin_user)
    change = reverse("admin:accounts_apitoken_change", args=[token.pk])
    admin.post(change, {"revoked_at_0": "", "revoked_at_1": "", "expires_at_0": "2099-01-01"})
    token.refresh_from_db()
    assert token.revoked_at is not None and user_for_token(key) is None
    assert admin.get(reverse("admin:accounts_apitoken_delete", args=[token.pk])).status_code == 403


def test_staff_revoke_a_token_through_the_admin_action_on_the_record(admin_user, enterprise_user):
    token, key = create_token(enterprise_user, name="ERP")
    admin = client_for(admin_user)
    admin.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert user_for_token(key) is None
    assert AuditEntry.objects.filter(action="api_token.revoke", actor=admin_user).count() == 1


def test_a_password_an_administrator_sets_is_in_the_trail(admin_user, enterprise_user):
    url = reverse("admin:auth_user_password_change", args=[enterprise_user.pk])
    answer = client_for(admin_user).post(
        url, {"password1": "Correct-horse-battery-9", "password2": "Correct-horse-battery-9"}
    )
    assert answer.status_code == 302
    entry = AuditEntry.objects.get(action="user.password_set")
    assert (entry.actor, entry.target_id) == (admin_user, str(enterprise_user.pk))


def test_a_token_expires_within_a_year_and_its_page_is_never_cached(enterprise_user):
    client = client_for(enterprise_user)
    far = (timezone.localdate() + datetime.timedelta(days=400)).isoformat()
    page = client.post(
        reverse("accounts:tokens"), {"name": "x", "expires_on": far, "password": "pw"}
    )
    assert "expires_on" in page.context["form"].errors and not ApiToken.objects.exists()
    near = (timezone.localdate() + datetime.timedelta(days=300)).isoformat()
    page = client.post(
        reverse("accounts:tokens"), {"name": "x", "expires_on": near, "password": "pw"}
    )
    assert page.context["new_key"] and "no-store" in page["Cache-Control"]


def test_a_token_is_made_with_the_password_not_on_the_sessions_word_alone(enterprise_user):
    """A session lasts a day at most, a token up to a year: a session left open or stolen must
    not be turned into a year's key without the password, and guessing the password there is
    throttled as at sign-in."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.test import Client

    client = Client(REMOTE_ADDR="203.0.113.11")
    client.force_login(enterprise_user)
    url = reverse("accounts:tokens")
    bare = client.post(url, {"name": "ERP"})
    assert "password" in bare.context["form"].errors and not ApiToken.objects.exists()
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = client.post(url, {"name": "ERP", "password": f"guess-{attempt}"})
        assert wrong.status_code == 200 and wrong.context["form"].errors["password"]
    locked = client.post(url, {"name": "ERP", "password": "guess-last"})
    assert locked.status_code == 429 and locked.context["locked_message"]
    assert AccessAttempt.objects.filter(username=enterprise_user.username).exists()
    assert client.post(url, {"name": "ERP", "password": "pw"}).status_code == 429
    assert not ApiToken.objects.exists()
    other = Client(REMOTE_ADDR="198.51.100.3")
    other.force_login(enterprise_user)
    made = other.post(url, {"name": "ERP", "password": "pw"})
    assert made.context["new_key"] and ApiToken.objects.filter(user=enterprise_user).count() == 1
