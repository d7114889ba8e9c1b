"""The API's one error envelope, for the answers the API's own handlers never see.

`zhibiao/api.py` turns the exceptions of an operation into `{"detail": …, "errors": …}`. Some
answers under the API's prefix are made before or around an operation: a path no route
matches (Django's resolver, 404), a method the path does not take (ninja's 405), a request
refused by a middleware, Django's own 400 and 500 pages. Those were HTML; a client that
parses JSON choked on them. The middleware here puts every such answer into the envelope, with
the message in the client's language, and keeps what the status needs (`Allow` on a 405).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

#: What a status means, said to the client when nothing more precise is known.
STATUS_MESSAGES = {
    400: _("The request could not be read."),
    401: _("Sign in or send a valid API token."),
    403: _("You are not allowed to do this."),
    404: _("Not found."),
    405: _("This address does not take the method %(method)s; it takes %(allowed)s."),
    409: _("The request conflicts with the record's current state."),
    413: _("The request is too large."),
    422: _("The request is not valid."),
    429: _("Too many requests; try again later."),
    500: _("The server failed to answer this request; the error has been logged."),
}


def status_message(status: int, request: HttpRequest | None = None, allowed: str = "") -> str:
    """The envelope's `detail` for a status, translated into the active language."""
    message = STATUS_MESSAGES.get(status)
    if message is None:
        return gettext("The request failed.")
    if status == 405:
        method = request.method if request is not None else ""
        return str(message) % {"method": method, "allowed": allowed}
    return str(message)


def envelope(detail: str, errors: dict | None = None) -> dict:
    """The one shape of every error body: a sentence, and per field its messages."""
    body: dict = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    return body


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


class ApiErrorMiddleware:
    """Answers every error under the API's prefix with the JSON envelope.

    Placed after `LocaleMiddleware`, so that the message is in the language the client asked
    for. A JSON error (from the API's handlers) passes unchanged.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefix = settings.API_PREFIX

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(self.prefix)
            or _is_json(response)
        ):
            return response
        return self.rewrite(request, response)

    def rewrite(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        status = response.status_code
        allowed = response.get("Allow", "")
        answer = JsonResponse(
            envelope(status_message(status, request, allowed)),
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
        if allowed:
            answer["Allow"] = allowed
        return answer


def parse_error_detail(cause: BaseException | None) -> str:
    """What to tell a client whose body did not parse: where, for JSON."""
    if isinstance(cause, json.JSONDecodeError):
        return gettext(
            "The body is not valid JSON: %(problem)s at line %(line)d, column %(column)d."
        ) % {"problem": _json_problem(cause.msg), "line": cause.lineno, "column": cause.colno}
    if isinstance(cause, UnicodeDecodeError):
        return gettext("The body is not valid UTF-8 text (byte %(position)d).") % {
            "position": cause.start
        }
    return gettext("The body could not be read as the declared content type.")


#: The JSON decoder's messages, which name the problem in English.
_JSON_PROBLEMS = {
    "Expecting value": _("a value was expected"),
    "Expecting property name enclosed in double quotes": _("a quoted name was expected"),
    "Expecting ':' delimiter": _("a colon was expected"),
    "Expecting ',' delimiter": _("a comma was expected"),
    "Unterminated string starting at": _("a string is not closed"),
    "Extra data": _("there is more after the end"),
    "Invalid control character at": _("a control character stands in a string"),
    "Invalid \\escape": _("an escape sequence is not valid"),
}


def _json_problem(message: str) -> str:
    translated = _JSON_PROBLEMS.get(message)
    return str(translated) if translated is not None else message


#: The error body in the OpenAPI document.
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in the client's language"},
        "errors": {
            "type": "object",
            "description": "Per field (or `__all__`), its messages",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}

#: The errors any operation may answer, and those only an operation with a body may.
_ANY = {
    "400": "The request could not be read",
    "401": "No valid token or session where one is needed, or a bad token",
    "403": "Signed in, but not allowed",
    "404": "No such object, or not visible to the caller",
    "422": "The input is not valid; `errors` names each field",
    "429": "Too many requests",
}
_WITH_BODY = {
    "409": "The record's state does not allow this now, or it changed meanwhile",
    "413": "The request is too large",
}


def document_errors(schema: dict) -> dict:
    """Add the envelope and the error answers to every operation of an OpenAPI document, so
    that the document says what a client can receive (ninja documents only successes)."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path in schema.get("paths", {}).values():
        for method, operation in path.items():
            statuses = dict(_ANY)
            if method in ("post", "put", "patch", "delete"):
                statuses.update(_WITH_BODY)
            responses = operation.setdefault("responses", {})
            for status, description in statuses.items():
                responses.setdefault(status, {"description": description, "content": reference})
            # Answered by the HTTP server in front (gunicorn) before Django sees the request,
            # so in its own format.
            responses.setdefault("414", {"description": "The address is too long"})
    return schema
