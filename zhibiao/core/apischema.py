"""What every API operation's input shares: bounded numbers and text, no unknown fields.

Why here and not per operation: a client that sends `offset=9223372036854775808` or an id
past 2^63 reached the database, which cannot hold the number (a 500 on SQLite, another on
PostgreSQL); a field the operation does not know (`"titel"` for `"title"`) was silently
dropped, so the client believed it had set something; a description of several megabytes was
stored. The types below carry the bounds into the OpenAPI document, so a client sees them.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Collection, Mapping
from typing import Annotated, Any, ClassVar, Optional, cast, get_type_hints

from django.utils import timezone
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination
from ninja.pagination import paginate as ninja_paginate
from pydantic import ConfigDict, ValidationInfo, create_model, field_validator
from pydantic_core import PydanticCustomError

#: The largest integer the databases hold (a signed 64-bit column).
DB_INT_MAX = 2**63 - 1

#: An integer any column of the platform can hold; beyond it, 422 naming the field.
DbInt = Annotated[int, Field(ge=-DB_INT_MAX, le=DB_INT_MAX)]

#: A primary key: positive, and no larger than the database holds.
Id = Annotated[int, Field(ge=1, le=DB_INT_MAX)]

#: The longest free text an API client may send (a description, a comment, a rule's text);
#: fields stored in shorter columns are bounded again by the model's own validation.
TEXT_MAX = 20_000


class Payload(Schema):
    """The base of every request body: unknown fields are refused (422 naming them), text is
    bounded, and holds no NUL character (PostgreSQL refuses one: a 500, where the page's form
    names the field)."""

    model_config = ConfigDict(extra="forbid", str_max_length=TEXT_MAX)

    #: Fields whose text goes to a parser that names a NUL with its line and column (a rule's
    #: YAML) and is never stored as sent.
    parsed_fields: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name not in cls.parsed_fields and _holds_nul(value):
            raise PydanticCustomError("nul_character", "Text may not hold a NUL character.")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _local_time(cls, value: Any) -> Any:
        """A time sent without its offset is local time, as a page's form reads it: mixed with
        an aware one (a start with an offset, an end without), comparing them failed."""
        if isinstance(value, datetime.datetime) and timezone.is_naive(value):
            return timezone.make_aware(value)
        return value


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple | set):
        return any(_holds_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    return False


class BoundedPagination(LimitOffsetPagination):
    """Ninja's limit and offset, bounded: the offset as far as a list can reach, the limit by
    the setting `NINJA_PAGINATION_MAX_LIMIT`."""

    class Input(Schema):
        limit: int = Field(
            ninja_settings.PAGINATION_PER_PAGE,
            ge=1,
            le=ninja_settings.PAGINATION_MAX_LIMIT,
            description="How many rows at most",
        )
        offset: int = Field(0, ge=0, le=2**31 - 1, description="How many rows to skip")


def paginate(view: Callable[..., Any]) -> Callable[..., Any]:
    """ninja's `paginate`, for modules written with `from __future__ import annotations`.

    ninja reads a paginated view's parameters through its wrapper, and evaluates string
    annotations in the wrapper's module, where `Id` or `DbInt` mean nothing; resolved here,
    in the view's own module, the bounds reach the view.
    """
    view.__annotations__ = get_type_hints(view, include_extras=True)
    return ninja_paginate(view)


def patch_of(body: type[Payload], name: str, doc: str) -> type[Payload]:
    """The body of a PATCH: the fields of `body` (what the POST that creates it takes), each
    optional with no default, so that an operation changes only what the client sent
    (`payload.dict(exclude_unset=True)`).

    Why: written out by hand, the PATCH's field list repeats the POST's and drifts from it (a
    field added to one and not the other); derived, they stay one list.
    """
    fields: dict[str, Any] = {}
    for field_name, info in body.model_fields.items():
        kind = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        fields[field_name] = (Optional[kind], None)  # noqa: UP045 (a runtime type, not a hint)
    return cast(type[Payload], create_model(name, __base__=Payload, __doc__=doc, **fields))


def row_schema(
    row: type,
    name: str,
    *,
    exclude: Collection[str] = (),
    types: Mapping[str, Any] | None = None,
    properties: Mapping[str, Any] | None = None,
) -> type[Schema]:
    """The output schema of a service's rows (a dataclass): its fields with their types, but
    those `exclude` leaves out, a field's type replaced where `types` names one (a nested row's
    own schema), then the `properties` the API also shows, with their types.

    Why: where an operation returns what a service computed as dataclasses (the view of risk),
    a schema declared again field by field drifts from the rows it serialises; derived from
    them, a field the service adds reaches the API, and one it drops fails at import.
    """
    hints = get_type_hints(row)
    fields: dict[str, Any] = {
        field.name: ((types or {}).get(field.name, hints[field.name]), ...)
        for field in dataclasses.fields(row)
        if field.name not in exclude
    }
    fields.update({prop: (kind, ...) for prop, kind in (properties or {}).items()})
    schema: type[Schema] = create_model(name, __base__=Schema, **fields)
    return schema
