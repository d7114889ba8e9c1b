"""The error pages (the home page is in zhibiao.portal; /healthz in zhibiao.ops).

Django's own error pages are bare English; these answer in the site's frame, in Chinese, with
a way back (the page one came from, the home page) and what to do next. The 500 page stays
Django's view on a self-contained template (templates/500.html): when the server fails, the
frame's context (the user, the inbox count) may be what failed."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token


def _came_from(request: HttpRequest) -> str:
    """The page of this site the visitor came from, for the error page's "back" link; nothing
    when the referrer is another site's (or the failed page itself), or the host is not ours."""
    referrer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:
        return ""
    safe = url_has_allowed_host_and_scheme(
        referrer, allowed_hosts={host}, require_https=request.is_secure()
    )
    if not safe or referrer == request.build_absolute_uri():
        return ""
    return referrer


def _error_page(
    request: HttpRequest, template: str, status: int, exception: Exception | None = None
) -> HttpResponse:
    if request.path.startswith(settings.API_PREFIX):
        # A machine asked: the API's middleware answers with the JSON envelope instead of a
        # page (core.apierrors), so there is no page to render, nor its frame to fail.
        return HttpResponse(status=status)
    # A PermissionDenied raised by a service carries a translated reason worth showing; an
    # exception without a message, or a 404's resolver details, say nothing to a visitor.
    reason = str(exception) if status == 403 and exception is not None else ""
    context = {"back_url": _came_from(request), "reason": reason}
    return render(request, template, context, status=status)


# The frame's forms (language switch, sign out) need a CSRF token even when the error arose
# before the CSRF middleware ran, as Django's own handlers ensure.
@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, "403.html", 403, exception)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, "404.html", 404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form posted without its valid token (an expired page, cookies turned off): say how to
    send it again, in the frame, instead of Django's English page (settings.CSRF_FAILURE_VIEW).
    """
    return _error_page(request, "403_csrf.html", 403)
