"""The refusal the training services raise for a step the current state does not allow.

It lives apart from the services so that `zhibiao.bases` (and, later, the measures' facts) can
share it without importing the services; the API answers it with 409, like the applications'.
"""

from __future__ import annotations


class Refused(Exception):
    """A step not allowed now (registration closed, already checked in, …): HTTP 409, and a
    message on the page."""
