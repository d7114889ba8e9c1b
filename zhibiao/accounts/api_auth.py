"""API authentication: bearer tokens for programs, the session for the browser.

Public endpoints use `optional_auth`, which accepts the anonymous but still refuses a bad token,
so a client with a typo in its token hears about it instead of silently seeing less.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf

from zhibiao.accounts import services


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = services.user_for_token(token)
        if user is not None:
            request.user = user
        return user


_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _csrf_checked(request: HttpRequest) -> None:
    """A write on the strength of the session cookie must carry the CSRF token: ninja exempts
    its views from Django's middleware and leaves the check to the authentication."""
    if request.method in _UNSAFE and check_csrf(request) is not None:
        raise PermissionDenied(gettext("CSRF check failed: reload the page and try again."))


class SessionAuth(NinjaSessionAuth):
    """The browser's session, CSRF-checked only when there is a signed-in user to protect.

    Ninja's own checks CSRF before knowing whether anyone is signed in, so an anonymous write
    was answered "CSRF check Failed" (403) where the answer is "sign in" (401).
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        _csrf_checked(request)
        return request.COOKIES.get(self.param_name)


class OptionalAuth:
    """Anonymous unless a token or a session says otherwise; a bad token is refused (401), a
    session's write without its CSRF token too (403)."""

    def __init__(self) -> None:
        self._token = TokenAuth()

    def __call__(self, request: HttpRequest):
        header = request.headers.get("Authorization", "")
        if header:
            return self._token(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            _csrf_checked(request)
            return user
        return AnonymousUser()


session_auth = SessionAuth()
required_auth = [TokenAuth(), session_auth]
optional_auth = OptionalAuth()
