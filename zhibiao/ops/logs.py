"""The request id: one per request, on its response and on every log record written for it.

Why: with several app servers and workers writing JSON lines into one collector, the lines of
one request are found by its id, and a client (or the proxy in front) that sent X-Request-ID
finds ours under the same id. The id lives in a context variable, so that every logger
(Django's, the apps', a library's) gets it through one logging Filter without being passed it.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

#: The id of the request being served in this thread (or task); "-" outside any request.
request_id: ContextVar[str] = ContextVar("request_id", default="-")

#: What a caller's X-Request-ID may be to be kept: short, printable, no spaces or quotes, so that
#: it cannot forge a log line, a header or a shell word. Anything else is replaced.
SAFE_ID = re.compile(r"[A-Za-z0-9._:@-]{1,64}")
HEADER = "X-Request-ID"

logger = logging.getLogger("zhibiao.requests")

#: Names of the URL parts that are credentials: a secret address (a ticket, a personal
#: calendar feed) admits whoever knows it, so the log names the page, not the key.
SECRET_URL_PARTS = frozenset({"token"})
MASK = "…"


def safe_request_id(given: str | None) -> str:
    """The caller's id when it looks safe, else a new uuid4."""
    if given and SAFE_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


class JsonFormatter(_JsonFormatter):
    """python-json-logger's formatter, leaving out what Django adds to its records that is not
    data: the `request` object, whose repr carries the query string (search terms, tokens) and
    the server socket; and Python 3.12's `taskName`."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request", "server_time", "taskName"])
        super().__init__(*args, **kwargs)


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (configured on the handlers in LOGGING)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class RequestIdMiddleware:
    """Assigns the request's id, answers it in X-Request-ID, and logs one line per request
    with its method, path, status and duration (first in MIDDLEWARE, so the time is the
    whole stack's and the line is written even for a response another middleware made)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = safe_request_id(request.headers.get(HEADER))
        # Not reset on the way out: Django logs a 4xx/5xx ("Not Found: …") after the last
        # middleware returns. `end_request` clears it when the response is closed.
        request_id.set(rid)
        request.request_id = rid  # type: ignore[attr-defined]
        started = time.perf_counter()
        response = self.get_response(request)
        response[HEADER] = rid
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        # The path without its query string (queries may carry search terms or tokens) and
        # without the secret parts of a secret address.
        path = loggable_path(request)
        logger.log(
            level,
            "%s %s %s %.1f ms",
            request.method,
            path,
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
        return response


def loggable_path(request: HttpRequest) -> str:
    """The request's path with its secret parts (SECRET_URL_PARTS of the URL it resolved to)
    masked: log collectors are read by more people than may open a ticket."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is None:
        return path
    for name in SECRET_URL_PARTS:
        value = match.kwargs.get(name)
        if value:
            path = path.replace(str(value), MASK)
    return path


def end_request(**kwargs) -> None:
    """On request_finished (the response closed): what this thread logs next is no request's
    until the next one sets its id."""
    request_id.set("-")
