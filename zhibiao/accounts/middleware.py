"""The absolute lifetime of a signed-in session (the idle timeout is SESSION_COOKIE_AGE,
renewed by every request)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

#: When the session was first seen signed in (seconds since the epoch).
SIGNED_IN_AT = "zhibiao_signed_in_at"


class SessionLifetimeMiddleware:
    """Sign a session out SESSION_MAX_AGE seconds after it signed in, however busy it has
    been, so that a stolen session cookie does not stay good forever by being used. The
    request then goes on signed out: pages send it to the sign-in page as usual."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, now)
            if now - signed_in_at > settings.SESSION_MAX_AGE:
                logout(request)  # flushes the session, this key included
        return self.get_response(request)
