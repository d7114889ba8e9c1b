"""Refusing an oversized request before reading it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext


class RequestSizeLimitMiddleware:
    """Answer 413 at once when a request announces a body larger than any upload may be.

    Without this, a 200 MB upload would be received whole before the upload checks refuse
    it; here the announced length is enough, and nothing is read.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.UPLOAD_MAX_BYTES + settings.REQUEST_OVERHEAD_BYTES
        if length > limit:
            message = gettext("The request is %(size)s; uploads may be at most %(limit)s.") % {
                "size": filesizeformat(length),
                "limit": filesizeformat(settings.UPLOAD_MAX_BYTES),
            }
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return render(request, "413.html", {"message": message}, status=413)
        return self.get_response(request)


class NulCharacterMiddleware:
    """Answer 400 when the address or its query holds a NUL character.

    No text the platform stores or looks up holds one, and PostgreSQL refuses it in a query
    (a 500 where SQLite said "not found"): a ticket code, a token or a search term from a
    crafted link would reach the database with it. Forms already refuse it field by field
    (Django's ProhibitNullCharactersValidator) and the API's bodies do (`Payload`); this covers
    what reaches a view before any form: the path, the query string and a posted form's fields,
    urlencoded or multipart alike (several pages read `request.POST` directly). A multipart
    post's files are not looked at: a PDF holds NUL bytes.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.lists() if "%00" in request.META.get("QUERY_STRING", "") else ()
        form = request.POST.lists() if request.method == "POST" and _is_form(request) else ()
        if "\x00" in request.path or any(
            "\x00" in key + "".join(values) for key, values in (*query, *form)
        ):
            return render(request, "400.html", status=400)
        return self.get_response(request)


_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _is_form(request: HttpRequest) -> bool:
    """A page's form post, plain or multipart (its text fields are read into lookups and saved
    by some views before any form field refuses a NUL). Not the API: its bodies are
    `Payload`'s to check, and its multipart errors have their own precise message there.

    A page's multipart body that cannot be parsed raises here just as it would have in the
    view (or the CSRF check, which reads `request.POST` first): Django answers it with the
    same 400 page, since a failed parse leaves `request.POST` empty for any later reader."""
    return request.content_type in _FORM_TYPES and not request.path.startswith("/api/")
