"""Signing in and out, demo accounts outside demo mode, tokens, and the workbench per role."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for, token_client
from tests.factories import make_user
from zhibiao.accounts.models import ApiToken, Role
from zhibiao.accounts.services import create_token
from zhibiao.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_login_and_logout(enterprise_user):
    client = client_for(None)
    response = client.post(
        reverse("accounts:login"), {"username": enterprise_user.username, "password": "pw"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:workbench")
    assert client.get(reverse("portal:workbench")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("portal:workbench")).status_code == 302


def test_wrong_password_says_so(enterprise_user):
    response = client_for(None).post(
        reverse("accounts:login"), {"username": enterprise_user.username, "password": "nope"}
    )
    assert response.status_code == 200
    assert "用户名" in response.content.decode()


def test_demo_accounts_cannot_sign_in_outside_demo_mode(settings, org):
    user = make_user(Role.ENTERPRISE, org, is_demo=True)
    _token, key = create_token(user, name="t")
    settings.DEMO_MODE = False
    client = client_for(None)
    client.post(reverse("accounts:login"), {"username": user.username, "password": "pw"})
    assert client.get(reverse("portal:workbench")).status_code == 302
    assert (
        client_for(None).get("/api/v1/me", headers={"authorization": f"Bearer {key}"}).status_code
        == 401
    )
    settings.DEMO_MODE = True
    client.post(reverse("accounts:login"), {"username": user.username, "password": "pw"})
    assert client.get(reverse("portal:workbench")).status_code == 200


@pytest.mark.parametrize("role", ["admin", "expert", "enterprise", "chamber", "provider"])
def test_workbench_per_role(users, role):
    response = client_for(users[role]).get(reverse("portal:workbench"))
    assert response.status_code == 200
    body = response.content.decode()
    assert users[role].get_role_display() in body
    assert ("登记组织" in body) == (role == "admin")


def test_token_lifecycle(enterprise_user):
    client = client_for(enterprise_user)
    response = client.post(reverse("accounts:tokens"), {"name": "ERP", "password": "pw"})
    key = response.context["new_key"]
    assert key.startswith("zb_")
    token = ApiToken.objects.get(user=enterprise_user)
    assert token.digest != key
    assert key not in token.digest
    api = client_for(None)
    me = api.get("/api/v1/me", headers={"authorization": f"Bearer {key}"})
    assert me.json()["role"] == "enterprise"
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert api.get("/api/v1/me", headers={"authorization": f"Bearer {key}"}).status_code == 401
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 1


def test_expired_token_refused(enterprise_user):
    _token, key = create_token(
        enterprise_user, name="old", expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client_for(None).get("/api/v1/me", headers={"authorization": f"Bearer {key}"})
    assert response.status_code == 401


def test_someone_elses_token_cannot_be_revoked(enterprise_user, provider_user):
    token, _key = create_token(provider_user, name="theirs")
    response = client_for(enterprise_user).post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_page_refuses_past_expiry(enterprise_user):
    response = client_for(enterprise_user).post(
        reverse("accounts:tokens"), {"name": "x", "expires_on": "2000-01-01", "password": "pw"}
    )
    assert "expires_on" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_me_needs_auth():
    assert client_for(None).get("/api/v1/me").status_code == 401


def test_createsuperuser_makes_a_district_admin(db):
    from zhibiao.accounts.models import User

    user = User.objects.create_superuser("root", "root@example.org", "pw")
    assert user.role == Role.ADMIN
    assert token_client(user).get("/api/v1/me").json()["role"] == "admin"


def test_a_token_without_a_date_expires_after_90_days(enterprise_user):
    """ASVS 3.5: no key lives for ever by default (issue 11)."""
    import time_machine

    token, key = create_token(enterprise_user, name="script")
    assert token.expires_at is not None
    lifetime = token.expires_at - token.created_at
    assert datetime.timedelta(days=89, hours=23) < lifetime <= datetime.timedelta(days=90)
    api = client_for(None)
    with time_machine.travel(token.expires_at - datetime.timedelta(minutes=1)):
        assert api.get("/api/v1/me", headers={"authorization": f"Bearer {key}"}).status_code == 200
    with time_machine.travel(token.expires_at + datetime.timedelta(minutes=1)):
        assert api.get("/api/v1/me", headers={"authorization": f"Bearer {key}"}).status_code == 401


def test_a_token_made_by_the_command_is_the_systems_act_in_the_trail(enterprise_user):
    """`manage.py create_api_token` is an operator's act, not the owner's: the trail must not
    say the owner made a token they never asked for."""
    out = StringIO()
    call_command("create_api_token", enterprise_user.username, "--name", "CI", stdout=out)
    key = out.getvalue().strip()
    token = ApiToken.objects.get(user=enterprise_user, name="CI")
    assert token.digest == ApiToken.digest_of(key)
    entry = AuditEntry.objects.get(action="api_token.create")
    assert entry.actor is None and entry.actor_name == "system"
    assert entry.data == {"name": "CI", "owner": enterprise_user.username}


@pytest.mark.parametrize("days", ["0", "367", "99999999999"])
def test_the_command_refuses_a_lifetime_out_of_bounds_by_name(enterprise_user, days):
    """Past the longest lifetime a token may have, or past year 9999, the operator reads what
    --days allows, not a form's error or an OverflowError's traceback."""
    with pytest.raises(CommandError, match="--days must be between 1 and 366"):
        call_command("create_api_token", enterprise_user.username, "--days", days)
    assert not ApiToken.objects.exists()


def test_a_user_creates_tokens_for_themselves_only(enterprise_user, provider_user):
    with pytest.raises(PermissionDenied):
        create_token(enterprise_user, owner=provider_user, name="theirs")
    assert not ApiToken.objects.exists()
    create_token(enterprise_user, name="mine")
    entry = AuditEntry.objects.get(action="api_token.create")
    assert entry.actor == enterprise_user and entry.data == {"name": "mine"}
