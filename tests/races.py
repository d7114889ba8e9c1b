"""Races made deterministic: the row another request would have written appears between a
service's check and its insert."""

from __future__ import annotations

from collections.abc import Callable

from django.db import models


def compete_after_check(monkeypatch, model: type[models.Model], make: Callable) -> None:
    """Let `model`'s constraint check (`full_clean`'s last part) pass, then call `make(row)` to
    write the competing row as another request would have meanwhile: the insert that follows
    meets the database's constraint. In a test's single transaction the service's refusal
    rolls the competing row back with its own."""
    check = model.validate_constraints

    def check_then_compete(self, exclude=None):
        check(self, exclude=exclude)
        make(self)

    monkeypatch.setattr(model, "validate_constraints", check_then_compete)


def insert_twin(row: models.Model, **changes) -> models.Model:
    """Insert a copy of `row` (its field values, `changes` applied) as another request would:
    the competing row for `compete_after_check`'s `make`, whatever the model."""
    model = type(row)
    values = {
        field.attname: getattr(row, field.attname)
        for field in model._meta.concrete_fields
        if not field.primary_key
    }
    return model._default_manager.create(**{**values, **changes})
