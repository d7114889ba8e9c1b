"""Sign-in as ASVS level 2 asks (issue 11): wrong passwords are throttled per user name and
address, passwords are long, a signed-in user can change theirs, sessions end when idle, and
production sends HSTS and a Content-Security-Policy that the pages keep."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.clients import client_for
from zhibiao.accounts.middleware import RENEW_EVERY, RENEWED_AT, SIGNED_IN_AT
from zhibiao.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _sign_in(client: Client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_passwords_lock_the_name_from_that_address(enterprise_user):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, enterprise_user.username, "wrong")
    locked = _sign_in(client, enterprise_user.username, "pw")  # the right password
    assert locked.status_code == 429
    assert not _signed_in(client)
    message = str(locked.context["locked_message"])
    assert "15" in message  # says for how long (minutes)
    assert message in locked.content.decode()
    # Another address is not locked out by someone guessing elsewhere.
    elsewhere = Client(REMOTE_ADDR="198.51.100.2")
    assert _sign_in(elsewhere, enterprise_user.username, "pw").status_code == 302
    # An administrator unlocks by deleting the attempts (the admin site lists them).
    AccessAttempt.objects.filter(username=enterprise_user.username).delete()
    assert _sign_in(client, enterprise_user.username, "pw").status_code == 302
    assert _signed_in(client)


def test_a_success_resets_the_count(enterprise_user):
    client = Client(REMOTE_ADDR="203.0.113.8")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, enterprise_user.username, "wrong")
    assert _sign_in(client, enterprise_user.username, "pw").status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, enterprise_user.username, "wrong")
    assert _sign_in(client, enterprise_user.username, "pw").status_code == 302


def test_passwords_have_at_least_twelve_characters(enterprise_user):
    with pytest.raises(ValidationError):
        validate_password("Kx9#mQ2$vL", enterprise_user)  # ten characters
    validate_password("Kx9#mQ2$vL!p", enterprise_user)


def test_a_signed_in_user_changes_their_password(enterprise_user):
    url = reverse("accounts:password_change")
    assert client_for(None).get(url).status_code == 302  # to the sign-in page
    client = client_for(enterprise_user)
    page = client.get(url)
    assert page.status_code == 200
    assert 'href="/accounts/password/"' in client.get(reverse("portal:workbench")).content.decode()
    short = client.post(
        url, {"old_password": "pw", "new_password1": "Short-1x", "new_password2": "Short-1x"}
    )
    assert short.status_code == 200 and short.context["form"].errors["new_password2"]
    wrong_old = client.post(
        url,
        {
            "old_password": "nope",
            "new_password1": "Qw7!tower-lamp",
            "new_password2": "Qw7!tower-lamp",
        },
    )
    assert wrong_old.context["form"].errors["old_password"]
    done = client.post(
        url,
        {
            "old_password": "pw",
            "new_password1": "Qw7!tower-lamp",
            "new_password2": "Qw7!tower-lamp",
        },
    )
    assert done.status_code == 302
    assert client.get(reverse("portal:workbench")).status_code == 200  # still signed in
    enterprise_user.refresh_from_db()
    assert enterprise_user.check_password("Qw7!tower-lamp")
    assert AuditEntry.objects.filter(action="user.password_change").count() == 1


def test_sessions_end_after_eight_idle_hours(enterprise_user):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    client = Client()
    _sign_in(client, enterprise_user.username, "pw")
    client.get(reverse("portal:workbench"))
    # Within five minutes a request writes nothing; later, it renews the expiry from now.
    assert settings.SESSION_COOKIE_NAME not in client.get(reverse("portal:workbench")).cookies
    session = client.session
    session[RENEWED_AT] -= RENEW_EVERY + 1
    session.save()
    response = client.get(reverse("portal:workbench"))
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 8 * 3600
    assert client.session.get_expiry_age() == 8 * 3600


def test_sessions_end_a_day_after_signing_in_however_busy(enterprise_user):
    client = Client()
    _sign_in(client, enterprise_user.username, "pw")
    assert client.get(reverse("portal:workbench")).status_code == 200
    session = client.session
    started = session[SIGNED_IN_AT]
    session[SIGNED_IN_AT] = started - settings.SESSION_MAX_AGE + 60
    session.save()
    assert client.get(reverse("portal:workbench")).status_code == 200  # within the day
    session = client.session
    session[SIGNED_IN_AT] = started - settings.SESSION_MAX_AGE - 1
    session.save()
    response = client.get(reverse("portal:workbench"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not _signed_in(client)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)


def test_pages_send_a_policy_they_keep(demo, users):
    """No inline script, style attribute or event handler, so the policy need not allow any."""
    pages = [
        (None, "/"),
        (None, reverse("accounts:login")),
        (None, "/api/v1/docs"),
        (users["admin"], reverse("portal:workbench")),
        (users["admin"], reverse("dashboard:index")),
        (users["admin"], reverse("accounts:tokens")),
        (users["admin"], reverse("accounts:password_change")),
        (users["enterprise"], reverse("applications:list")),
    ]
    for user, url in pages:
        response = client_for(user).get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy
        body = response.content.decode()
        assert not INLINE_SCRIPT.search(body), url
        assert not re.search(r"\sstyle=\"", body), url
        assert not re.search(r"\son[a-z]+=\"", body), url


def test_templates_have_no_inline_styles_or_scripts():
    offenders = []
    for path in (ROOT / "zhibiao").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\sstyle=\"", text) or INLINE_SCRIPT.search(text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_check_deploy_is_silent_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zhibiao.settings",
        "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-0123456789",
        "ALLOWED_HOSTS": "zhibiao.example.gov.cn",
        "SECURE_COOKIES": "1",
        "DEBUG": "0",
        "ZHIBIAO_VAR_DIR": str(tmp_path),
    }
    env.pop("ZHIBIAO_DEMO", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_demo_over_http_keeps_working():
    """`make run` serves http://localhost: without SECURE_COOKIES nothing forces HTTPS."""
    assert not settings.SECURE_SSL_REDIRECT
    assert settings.SECURE_HSTS_SECONDS == 0
    assert not settings.SESSION_COOKIE_SECURE


def test_old_passwords_guessed_on_the_change_page_are_throttled_as_sign_ins(enterprise_user):
    """A session (a computer left signed in, a stolen cookie) must not guess the password on
    the change page without limit: each wrong old password counts as a wrong sign-in for that
    user name and address, and the lockout holds there too, the right password included."""
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.force_login(enterprise_user)
    url = reverse("accounts:password_change")
    new = {"new_password1": "Qw7!tower-lamp", "new_password2": "Qw7!tower-lamp"}
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = client.post(url, {"old_password": f"guess-{attempt}", **new})
        assert wrong.status_code == 200 and wrong.context["form"].errors["old_password"]
    locked = client.post(url, {"old_password": "guess-last", **new})
    assert locked.status_code == 429
    assert "15" in str(locked.context["locked_message"])
    assert AccessAttempt.objects.filter(username=enterprise_user.username).exists()
    refused = client.post(url, {"old_password": "pw", **new})  # the right one, too late
    assert refused.status_code == 429
    enterprise_user.refresh_from_db()
    assert enterprise_user.check_password("pw")
    assert client.get(reverse("portal:workbench")).status_code == 200  # still signed in
    # The same pair is locked out of the sign-in page as well.
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert _sign_in(other, enterprise_user.username, "pw").status_code == 429


def test_the_admin_sites_password_page_leads_to_the_throttled_audited_one(admin_user):
    """Django's admin site has a password change page of its own, which checked the old
    password without limit and wrote no audit entry; its address (and its link in the admin
    site's header) now leads to the platform's page."""
    client = Client(REMOTE_ADDR="203.0.113.10")
    client.force_login(admin_user)
    admin_page = reverse("admin:password_change")
    assert client.get(admin_page)["Location"] == reverse("accounts:password_change")
    new = {"new_password1": "Qw7!tower-lamp", "new_password2": "Qw7!tower-lamp"}
    posted = client.post(admin_page, {"old_password": "pw", **new})
    assert posted.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.check_password("pw")  # nothing changed there
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:password_change"), {"old_password": f"g{attempt}", **new})
    assert AccessAttempt.objects.filter(username=admin_user.username).exists()
