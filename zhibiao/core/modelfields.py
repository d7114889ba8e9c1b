"""Short spellings of the field and constraint declarations every app writes.

Why: the models declare the same things again and again — a protected foreign key with a
verbose name and a related name, the acting user, a year, a named constraint with its message —
each over five to eight lines. Written once here, a model reads as the list of what it holds,
and a convention (PROTECT by default, every constraint named and explained) is kept by
construction. The fields these return are ordinary Django fields: migrations see no difference.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

#: The years an enterprise's record may name (a certificate, a title, a founding year).
YEAR_VALIDATORS = [MinValueValidator(1949), MaxValueValidator(2100)]


def ref(
    to: Any,
    verbose_name: Any,
    related_name: str | None = None,
    *,
    on_delete: Any = models.PROTECT,
    **options: Any,
) -> Any:
    """A foreign key, protected unless said otherwise: the platform's records are evidence, so
    deleting what they point to must be a decision, not a cascade.

    Typed Any on purpose: django-stubs learns a foreign key's model only from a direct
    `ForeignKey(...)` call; through a helper the field would be an unsolved type variable and
    every use of the related object an error, where Any leaves it unchecked."""
    if related_name is not None:
        options["related_name"] = related_name
    return models.ForeignKey(to, verbose_name=verbose_name, on_delete=on_delete, **options)


def user_ref(verbose_name: Any, related_name: str = "+", **options: Any) -> Any:
    """A foreign key to the user who did something (recorded, uploaded, took a step)."""
    return ref(settings.AUTH_USER_MODEL, verbose_name, related_name, **options)


def year_field(verbose_name: Any = None, **options: Any) -> models.PositiveSmallIntegerField:
    """A calendar year (pass `validators=YEAR_VALIDATORS` for an enterprise's own record)."""
    return models.PositiveSmallIntegerField(verbose_name or _("year"), **options)


def created_field() -> models.DateTimeField:
    """When the row was created, set once by the database write."""
    return models.DateTimeField(_("created at"), auto_now_add=True)


def updated_field() -> models.DateTimeField:
    """When the row was last saved."""
    return models.DateTimeField(_("updated at"), auto_now=True)


def unique(name: str, *fields: str, message: Any, **options: Any) -> models.UniqueConstraint:
    """A named unique constraint with the message a form shows when it is broken."""
    return models.UniqueConstraint(
        fields=list(fields), name=name, violation_error_message=message, **options
    )


def check(name: str, condition: Q, message: Any) -> models.CheckConstraint:
    """A named check constraint with the message a form shows when it is broken."""
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=message)


def valid_choice(name: str, field: str, choices: type[models.Choices], message: Any):
    """A check that a field holds one of its choices (the database enforces what forms do)."""
    return check(name, Q(**{f"{field}__in": choices.values}), message)
