"""Errors shared by the apps' state machines."""


class TransitionRefused(Exception):
    """A step not allowed now (wrong state, unmet condition): HTTP 409, a message on the page."""


class ConcurrentChange(TransitionRefused):
    """Someone else moved the object first."""


class Refused(TransitionRefused):
    """A step of the training services not allowed now (registration closed, already checked
    in, a base's step from the wrong status, …): HTTP 409, and a message on the page.

    It lives here, at the bottom of the layers, because both zhibiao.events and zhibiao.bases
    (below events) raise it; zhibiao.events.errors names it too."""
