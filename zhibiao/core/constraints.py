"""A new row that a named constraint may refuse because someone wrote the competing row first.

A service checks a new row (`full_clean`, or its own query) and then inserts it: two statements,
between which another request may insert the row the constraint allows only once (two clerks
evaluating the same base's year, a double click). The database then refuses the second insert
with an IntegrityError, which would be a server error; the user should read what the check
would have told them a moment later, the constraint's `violation_error_message`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, router, transaction


def save_new(obj: models.Model, constraint: str) -> None:
    """Insert `obj` (new, already checked) in a savepoint, so that a refused insert leaves the
    caller's transaction usable. If the database refuses it and the unique constraint named
    `constraint` is what the row now breaks, raise that constraint's ValidationError, shaped as
    `full_clean` raises it; any other IntegrityError is re-raised, as the bug it is.

    `constraint` names one of the model's UniqueConstraints or a field declared `unique=True`
    (whose constraint Django names itself, and whose message is the field's "unique" error).

    The constraint is checked again after the refusal rather than read from the database's
    error, whose wording differs between SQLite and PostgreSQL: the competing row has committed
    by then (PostgreSQL makes the second insert wait for the first transaction), so the check,
    a new statement, sees it."""
    check = _unique_check(type(obj), constraint)
    try:
        with transaction.atomic():
            obj.save(force_insert=True)
    except IntegrityError:
        try:
            check(obj)
        except ValidationError as refused:
            raise refused from None
        raise


def _unique_check(model: type[models.Model], constraint: str) -> Callable[[models.Model], None]:
    """What raises, as `full_clean` would, when a row of `model` breaks `constraint`: the
    UniqueConstraint of that name, or the unique field of that name."""
    for named in model._meta.constraints:
        if named.name == constraint and isinstance(named, models.UniqueConstraint):
            return partial(_validate_constraint, named)
    field = next((f for f in model._meta.concrete_fields if f.name == constraint), None)
    if field is not None and field.unique and not field.primary_key:
        others = [f.name for f in model._meta.fields if f.name != constraint]
        return lambda obj: obj.validate_unique(exclude=others)
    raise ValueError(f"{model.__name__} has no unique constraint named {constraint!r}")


def _validate_constraint(named: models.UniqueConstraint, obj: models.Model) -> None:
    model = type(obj)
    try:
        using = router.db_for_write(model, instance=obj)
        named.validate(model, obj, using=using)  # type: ignore[attr-defined]  # not in the stubs
    except ValidationError as error:
        if getattr(error, "code", None) == "unique" and len(named.fields) == 1:
            raise ValidationError({named.fields[0]: [error]}) from None
        raise ValidationError(error.update_error_dict({})) from None
