"""The bases' tests share the training fixtures: a base with its manager, and the clock."""

from tests.events.conftest import base, clock, manager  # noqa: F401  (fixtures)
