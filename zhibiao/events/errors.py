"""The refusal the training services raise for a step the current state does not allow.

Defined in `zhibiao.core.errors`, below both apps, because `zhibiao.bases` (below events in the
layers) raises it too; it is a TransitionRefused, so the API's one 409 handler answers it and
code that catches a refused step catches this one too.
"""

from __future__ import annotations

from zhibiao.core.errors import Refused

__all__ = ["Refused"]
