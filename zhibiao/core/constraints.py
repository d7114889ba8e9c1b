"""A new row that a named constraint may refuse because someone wrote the competing row first.

A service checks a new row (`full_clean`, or its own query) and then inserts it: two statements,
between which another request may insert the row the constraint allows only once (two clerks
evaluating the same base's year, a double click). The database then refuses the second insert
with an IntegrityError, which would be a server error; the user should read what the check
would have told them a moment later, the constraint's `violation_error_message`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, router, transaction


def save_new(obj: models.Model, constraint: str) -> None:
    """Insert `obj` (new, already checked) in a savepoint, so that a refused insert leaves the
    caller's transaction usable. If the database refuses it and the unique constraint named
    `constraint` is what the row now breaks, raise that constraint's ValidationError, shaped as
    `full_clean` raises it; any other IntegrityError is re-raised, as the bug it is.

    The constraint is checked again after the refusal rather than read from the database's
    error, whose wording differs between SQLite and PostgreSQL: the competing row has committed
    by then (PostgreSQL makes the second insert wait for the first transaction), so the check,
    a new statement, sees it."""
    model = type(obj)
    named = next(
        (
            c
            for c in model._meta.constraints
            if c.name == constraint and isinstance(c, models.UniqueConstraint)
        ),
        None,
    )
    if named is None:
        raise ValueError(f"{model.__name__} has no unique constraint named {constraint!r}")
    try:
        with transaction.atomic():
            obj.save(force_insert=True)
    except IntegrityError:
        try:
            using = router.db_for_write(model, instance=obj)
            named.validate(model, obj, using=using)  # type: ignore[attr-defined]  # not in the stubs
        except ValidationError as error:
            if getattr(error, "code", None) == "unique" and len(named.fields) == 1:
                raise ValidationError({named.fields[0]: [error]}) from None
            raise ValidationError(error.update_error_dict({})) from None
        raise
