"""Errors shared by the apps' state machines."""


class TransitionRefused(Exception):
    """A step not allowed now (wrong state, unmet condition): HTTP 409, a message on the page."""


class ConcurrentChange(TransitionRefused):
    """Someone else moved the object first."""
