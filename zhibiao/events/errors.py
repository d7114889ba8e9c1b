"""The refusal the training services raise for a step the current state does not allow.

It lives apart from the services so that `zhibiao.bases` (and, later, the measures' facts) can
share it without importing the services. It is a TransitionRefused, so the API's one 409
handler answers it and code that catches a refused step catches this one too.
"""

from __future__ import annotations

from zhibiao.core.errors import TransitionRefused


class Refused(TransitionRefused):
    """A step not allowed now (registration closed, already checked in, …): HTTP 409, and a
    message on the page."""
