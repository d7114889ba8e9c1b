"""Whole pages kept in the shared cache: visitors' pages, and a signed-in user's own pages of
the views that ask for it (`kept_per_user`).

Why: an anonymous page (home, events, standards, bases, policies …) is the same for every
visitor in one language, and rendering it costs ten to thirty times what the request costs
the server otherwise; the public pages are what a district's visitors and crawlers ask for most.
So the first visitor's page is kept in the shared cache (Redis in production: one copy for
every app server) and the next visitors get it.

Kept under: the host, the path with its query string, the language, and whether htmx asked for
a part. Current while: the records' generation (zhibiao.core.generations) has not moved since it was
rendered, i.e. no business operation has committed since, through a page, the admin site, the
API or a command; so a published event, an imported standard or an edited policy shows from the
next request, on every server. `PAGE_CACHE_SECONDS` bounds the rest: a change made outside the
services (the shell, a bulk SQL update) and what changes with the clock alone (an event whose
registration closes) show within that many seconds. One cache round trip reads both the page
and the generation.

Never for:
- a request that carries a session or messages cookie (a signed-in user always does, so a
  signed-in user never gets a visitor's page, and a visitor with a message waiting sees it), or
  an Authorization header, or under the API, the admin site and /healthz;
- anything but a 200 GET/HEAD of at most MAX_BYTES, nor a response that says not to (no-cache,
  no-store, private: `never_cache`), sets a cookie of its own, saved anything in the session,
  or asked for the real CSRF token (`get_token`): such a page is the visitor's own.

The CSRF token: a cached page must not carry one visitor's token to the next (it would not
match their cookie, and it would hand them the first visitor's secret). While such a page
renders, `csrf_placeholder` (a template context processor) puts PLACEHOLDER where the token goes
(`{% csrf_token %}`, `{{ csrf_token }}`); the page is stored with it, and every answer, the first
included, has it replaced by the visitor's own token, whose cookie CsrfViewMiddleware then sets
as on any page. The sign-in form and the language switch on a cached page work as on a fresh one.

Signed-in pages, per user (`kept_per_user`, a view decorator, only on the pages that name it):
a user's workbench, 我的政策, lists and dashboard are read far more often than anything on them
changes, and rendering them costs twenty to sixty times the request itself. Such a page is kept
under the user, their password's hash (a password change outdates it), the path with its query,
host, language and htmx flag, and is current while neither the records' generation nor the
notifications' (the inbox count in the header) has moved, and at most PAGE_CACHE_SECONDS. Not
kept while a message waits for the user (it shows on the next page rendered), nor when the view
says the page is not to be kept (`do_not_keep`: the dashboard, while its figures are still
being rebuilt after a change). The same rules as for visitors' pages apply otherwise, the CSRF
placeholder included.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

from zhibiao.core import generations

#: What stands for the CSRF token in a stored page: ASCII, no character HTML escapes.
PLACEHOLDER = "zhibiao-csrf-token-placeholder-7d3f1c"
_PLACEHOLDER_BYTES = PLACEHOLDER.encode()
#: Pages larger than this are not kept (exports and the like are not pages to share).
MAX_BYTES = 512 * 1024
#: Paths never kept, whoever asks: JSON with its own authentication, the admin, health checks.
EXCLUDED_PREFIXES = ("/api/", "/admin/", "/healthz", "/i18n/", "/static/", "/media/")
#: Set on a request whose page may be stored, while it renders (read by `csrf_placeholder`).
_FLAG = "_zhibiao_page_cache"
#: The answer's header saying where the page came from (for tests and for reading a trace).
HEADER = "X-Page-Cache"


def _eligible(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or settings.PAGE_CACHE_SECONDS <= 0:
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    return not request.path.startswith(EXCLUDED_PREFIXES)


def _key(request: HttpRequest, whose: str = "visitor") -> str:
    language = getattr(request, "LANGUAGE_CODE", "") or ""
    part = "hx" if request.headers.get("HX-Request") else "page"
    # The host too: a page may carry absolute links (a QR code, a feed) under the host asked.
    where = f"{whose}|{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(where.encode()).hexdigest()[:32]
    return f"pagecache:{language}:{part}:{digest}"


#: Set on a request whose page its view says is not to be kept (`do_not_keep`).
_VETO = "_zhibiao_page_cache_veto"


def do_not_keep(request: HttpRequest) -> None:
    """Say that the page being rendered for `request` is not to be kept (it shows something
    that is about to change without the generations moving)."""
    setattr(request, _VETO, True)


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if len(response.content) > MAX_BYTES:
        return False
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in ("no-cache", "no-store", "private")):
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the view asked for the real token
        return False
    if getattr(request, _VETO, False):
        return False
    session = getattr(request, "session", None)
    return not (session is not None and session.modified)


def _with_token(request: HttpRequest, content: bytes) -> bytes:
    if _PLACEHOLDER_BYTES not in content:
        return content
    return content.replace(_PLACEHOLDER_BYTES, get_token(request).encode())


def _answer(request: HttpRequest, stored: tuple) -> HttpResponse:
    _validity, _stored_at, status, headers, content = stored
    response = HttpResponse(_with_token(request, content), status=status)
    for name, value in headers:
        response[name] = value
    response[HEADER] = "hit"
    return response


class AnonymousPageCacheMiddleware:
    """Serves and stores visitors' pages (module docstring). Last in MIDDLEWARE, so that a
    stored page passes through every other middleware (security headers, CSP, the CSRF
    cookie, the request id) as a rendered one does."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _eligible(request):
            return self.get_response(request)
        return _kept(request, _key(request), (generations.RECORDS,), self.get_response)


def _kept(
    request: HttpRequest,
    key: str,
    names: tuple[str, ...],
    render: Callable[[HttpRequest], HttpResponse],
) -> HttpResponse:
    """The page kept under `key` while the generations `names` hold, else `render`ed (and kept
    when it may be): one cache round trip for the page and the generations."""
    generation_keys = [generations.key(name) for name in names]
    found = cache.get_many([key, *generation_keys])
    validity = tuple(
        found[gkey] if gkey in found else generations.current(name)
        for name, gkey in zip(names, generation_keys, strict=True)
    )
    stored = found.get(key)
    if (
        stored is not None
        and stored[0] == validity
        and time.time() - stored[1] < settings.PAGE_CACHE_SECONDS
    ):
        return _answer(request, stored)
    setattr(request, _FLAG, True)
    response = render(request)
    setattr(request, _FLAG, False)
    if not _storable(request, response):
        # Rendered with the placeholder all the same; this visitor gets their own token.
        if not response.streaming and _PLACEHOLDER_BYTES in response.content:
            response.content = _with_token(request, response.content)
        return response
    headers = [
        (name, value)
        for name, value in response.items()
        if name.lower() not in ("set-cookie", "content-length")
    ]
    cache.set(
        key,
        (validity, time.time(), response.status_code, headers, response.content),
        timeout=settings.PAGE_CACHE_SECONDS,
    )
    response.content = _with_token(request, response.content)
    response[HEADER] = "miss"
    return response


def _messages_waiting(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def kept_per_user(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Keep the view's pages per signed-in user (module docstring); a visitor's request goes
    to the view (or to the visitors' cache, which the middleware keeps)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if (
            request.method not in ("GET", "HEAD")
            or settings.PAGE_CACHE_SECONDS <= 0
            or not user.is_authenticated
            or _messages_waiting(request)
        ):
            return view(request, *args, **kwargs)
        whose = f"user:{user.pk}:{user.get_session_auth_hash()}"
        return _kept(
            request,
            _key(request, whose),
            (generations.RECORDS, generations.NOTIFICATIONS),
            lambda request: view(request, *args, **kwargs),
        )

    return wrapper


def csrf_placeholder(request: HttpRequest) -> dict:
    """Template context processor, after Django's own: on a page that may be stored, the
    token's placeholder instead of the visitor's token (module docstring)."""
    if getattr(request, _FLAG, False):
        return {"csrf_token": PLACEHOLDER}
    return {}
