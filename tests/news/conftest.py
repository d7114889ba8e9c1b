"""The news tests report on a course at a training base: the training tests' fixtures."""

from tests.events.conftest import base, course, manager  # noqa: F401
