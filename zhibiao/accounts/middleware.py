"""How long a signed-in session lives: SESSION_COOKIE_AGE without a request (idle), and
SESSION_MAX_AGE after signing in, however busy (absolute)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

#: When the session was first seen signed in, and last renewed (seconds since the epoch).
SIGNED_IN_AT = "zhibiao_signed_in_at"
RENEWED_AT = "zhibiao_renewed_at"
#: A request renews the idle timeout (a write of the session) at most this often, rather than
#: on every request (SESSION_SAVE_EVERY_REQUEST would write the session on every page).
RENEW_EVERY = 300


class SessionLifetimeMiddleware:
    """Renew a signed-in session's expiry as it is used, and sign it out SESSION_MAX_AGE
    seconds after it signed in, so that a stolen session cookie does not stay good forever by
    being used. A signed-out request goes on: pages send it to the sign-in page as usual."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session = request.session
            now = int(time.time())
            if now - session.setdefault(SIGNED_IN_AT, now) > settings.SESSION_MAX_AGE:
                logout(request)  # flushes the session, these keys included
            elif now - session.get(RENEWED_AT, 0) > RENEW_EVERY:
                # A change saves the session: its expiry and the cookie's restart from now.
                session[RENEWED_AT] = now
        return self.get_response(request)
