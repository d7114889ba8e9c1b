"""The bases' tests share the training fixtures: a base with its manager."""

from tests.events.conftest import base, manager  # noqa: F401  (fixtures)
