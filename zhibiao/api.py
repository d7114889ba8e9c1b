"""The HTTP API under /api/v1/: one NinjaAPI, one router per app, one error format.

Every error is JSON: {"detail": "<what went wrong>"} and, for invalid input (422), also
{"errors": {"<field>": ["<message>", ...]}} so a client can put each message by its field.
"""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.operation import Operation

from zhibiao.accounts.api import router as accounts_router
from zhibiao.applications.api import router as applications_router
from zhibiao.awards.api import router as awards_router
from zhibiao.bases.api import router as bases_router
from zhibiao.committee.api import router as committee_router
from zhibiao.core.apierrors import document_errors, envelope, parse_error_detail, status_message
from zhibiao.core.errors import TransitionRefused
from zhibiao.dashboard.api import router as dashboard_router
from zhibiao.directory.api import router as directory_router
from zhibiao.events.api import router as events_router
from zhibiao.measures.api import router as measures_router
from zhibiao.news.api import router as news_router
from zhibiao.policies.api import router as policies_router
from zhibiao.risks.api import router as risks_router
from zhibiao.standards.api import router as standards_router
from zhibiao.supply.api import router as supply_router
from zhibiao.verification.api import router as verification_router
from zhibiao.whatif.api import router as whatif_router

#: Where the operations of what was once the one module `zhibiao.events.api` live now.
_ONE_EVENTS_MODULE = ("zhibiao.events.api.", "zhibiao.news.api")


class Api(NinjaAPI):
    """The platform's API, whose document also lists the errors each operation answers."""

    def get_openapi_schema(self, **kwargs):
        return document_errors(super().get_openapi_schema(**kwargs))

    def get_openapi_operation_id(self, operation: Operation) -> str:
        """The events' and the news' operations keep the ids they had when the events' API was
        one module (`zhibiao_events_api_<function>`), so that the document and the clients
        generated from it did not change when it was split into seams and news left for its
        own app; every other operation has Ninja's `<module>_<function>`."""
        function = operation.view_func
        if function.__module__.startswith(_ONE_EVENTS_MODULE):
            return f"zhibiao_events_api_{function.__name__}"
        return super().get_openapi_operation_id(operation)


api = Api(
    title="zhibiao API",
    version="1",
    description=(
        "Public data (committee, training bases, policies, events) needs no credentials; "
        "everything else takes `Authorization: Bearer <token>` (create a token on your account "
        "page) or the browser session."
    ),
    urls_namespace="api",
)

api.add_router("/me", accounts_router)
api.add_router("/organisations", directory_router)
api.add_router("/committee", committee_router)
api.add_router("/bases", bases_router)
api.add_router("/policies", policies_router)
api.add_router("/events", events_router)
api.add_router("/news", news_router)
api.add_router("/measures", measures_router)
api.add_router("/applications", applications_router)
api.add_router("/awards", awards_router)
api.add_router("/supply", supply_router)
api.add_router("/standards", standards_router)
api.add_router("/dashboard", dashboard_router)
api.add_router("/verifications", verification_router)
api.add_router("/risks", risks_router)
api.add_router("/scenarios", whatif_router)


def _field_of(loc: tuple | list) -> str:
    """("body", "payload", "uscc") → "uscc"; ("query", "town") → "town"."""
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "payload")]
    return ".".join(parts) or "__all__"


_PYDANTIC_MESSAGES = {
    "missing": lambda e: gettext("This field is required."),
    "string_too_long": lambda e: (
        gettext("Ensure this value has at most %(max)s characters.")
        % {"max": e.get("ctx", {}).get("max_length", "?")}
    ),
    "date_from_datetime_parsing": lambda e: gettext("Enter a valid date as YYYY-MM-DD."),
    "date_parsing": lambda e: gettext("Enter a valid date as YYYY-MM-DD."),
    "date_type": lambda e: gettext("Enter a valid date as YYYY-MM-DD."),
    "int_parsing": lambda e: gettext("Enter a whole number."),
    "bool_parsing": lambda e: gettext("Enter true or false."),
    "enum": lambda e: (
        gettext("Choose one of: %(choices)s.") % {"choices": e.get("ctx", {}).get("expected", "")}
    ),
    "less_than_equal": lambda e: (
        gettext("Ensure this value is at most %(limit)s.") % {"limit": _ctx(e, "le")}
    ),
    "less_than": lambda e: (
        gettext("Ensure this value is less than %(limit)s.") % {"limit": _ctx(e, "lt")}
    ),
    "greater_than_equal": lambda e: (
        gettext("Ensure this value is at least %(limit)s.") % {"limit": _ctx(e, "ge")}
    ),
    "greater_than": lambda e: (
        gettext("Ensure this value is greater than %(limit)s.") % {"limit": _ctx(e, "gt")}
    ),
    "extra_forbidden": lambda e: gettext("This field is not known here."),
    "nul_character": lambda e: gettext("Text may not hold a NUL character."),
    "int_type": lambda e: gettext("Enter a whole number."),
    "int_from_float": lambda e: gettext("Enter a whole number."),
    "string_type": lambda e: gettext("Enter text."),
    "list_type": lambda e: gettext("Enter a list."),
    "bool_type": lambda e: gettext("Enter true or false."),
    "float_parsing": lambda e: gettext("Enter a number."),
    "float_type": lambda e: gettext("Enter a number."),
    "decimal_parsing": lambda e: gettext("Enter a number."),
    "finite_number": lambda e: gettext("Enter a number."),
    "decimal_type": lambda e: gettext("Enter a number."),
    "decimal_max_digits": lambda e: (
        gettext("Ensure there are at most %(max)s digits in all.") % {"max": _ctx(e, "max_digits")}
    ),
    "decimal_max_places": lambda e: (
        gettext("Ensure there are at most %(max)s digits after the point.")
        % {"max": _ctx(e, "decimal_places")}
    ),
    "decimal_whole_digits": lambda e: (
        gettext("Ensure there are at most %(max)s digits before the point.")
        % {"max": _ctx(e, "whole_digits")}
    ),
    "datetime_parsing": lambda e: gettext("Enter a valid date and time."),
    "datetime_from_date_parsing": lambda e: gettext("Enter a valid date and time."),
    "datetime_type": lambda e: gettext("Enter a valid date and time."),
    "model_attributes_type": lambda e: gettext("Enter an object with the fields described."),
    "model_type": lambda e: gettext("Enter an object with the fields described."),
    "dict_type": lambda e: gettext("Enter an object with the fields described."),
}


def _ctx(error: dict, key: str) -> str:
    return str(error.get("ctx", {}).get(key, "?"))


logger = logging.getLogger("django.request")


def error_response(
    request: HttpRequest, status: int, detail: str, errors: dict | None = None
) -> HttpResponse:
    return api.create_response(request, envelope(detail, errors), status=status)


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        translate = _PYDANTIC_MESSAGES.get(error.get("type", ""))
        message = translate(error) if translate else str(error.get("msg", ""))
        errors.setdefault(_field_of(error.get("loc", ())), []).append(message)
    return error_response(request, 422, gettext("The request is not valid."), errors)


@api.exception_handler(DjangoValidationError)
def on_model_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return error_response(request, 422, gettext("The request is not valid."), errors)


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, str(exc) or gettext("You are not allowed to do this."))


@api.exception_handler(TransitionRefused)
def on_refused_step(request: HttpRequest, exc: TransitionRefused) -> HttpResponse:
    """A step the application's state or conditions do not allow now: a conflict, 409."""
    return error_response(request, 409, str(exc))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, gettext("Not found."))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, gettext("Sign in or send a valid API token."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Ninja's own refusals (our code raises none), whose messages are English: a body that
    does not parse says where; the others take the status's message in the client's
    language."""
    cause = exc.__cause__
    if isinstance(cause, RequestDataTooBig):
        return on_too_large(request, cause)
    if exc.status_code == 400:
        if isinstance(cause, MultiPartParserError):
            return on_unreadable_form(request, cause)
        return error_response(request, 400, parse_error_detail(cause))
    return error_response(request, exc.status_code, status_message(exc.status_code))


@api.exception_handler(MultiPartParserError)
def on_unreadable_form(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(
        request, 400, gettext("The multipart body could not be read (is its boundary given?).")
    )


@api.exception_handler(RequestDataTooBig)
def on_too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(request, 413, status_message(413))


@api.exception_handler(TooManyFieldsSent)
def on_too_many_fields(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(request, 413, gettext("The request has too many fields."))


@api.exception_handler(Exception)
def on_server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """An error of ours: logged with its traceback as Django logs a 500, answered in JSON."""
    logger.error(
        "Internal Server Error: %s", request.path, exc_info=exc, extra={"status_code": 500}
    )
    return error_response(request, 500, status_message(500))
