"""API authentication: bearer tokens for programs, the session for the browser.

Public endpoints use `optional_auth`, which accepts the anonymous but still refuses a bad token,
so a client with a typo in its token hears about it instead of silently seeing less.
"""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from zhibiao.accounts import services


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = services.user_for_token(token)
        if user is not None:
            request.user = user
        return user


class OptionalAuth:
    """Anonymous unless a token or a session says otherwise; a bad token is refused (401)."""

    def __init__(self) -> None:
        self._token = TokenAuth()

    def __call__(self, request: HttpRequest):
        header = request.headers.get("Authorization", "")
        if header:
            return self._token(request)
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else AnonymousUser()


session_auth = SessionAuth()
required_auth = [TokenAuth(), session_auth]
optional_auth = OptionalAuth()
