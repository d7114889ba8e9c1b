"""Authentication that keeps demo accounts out of a production platform."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


def may_sign_in(user) -> bool:
    """Active, and not a demo account outside demo mode: checked for passwords and tokens alike."""
    return bool(user.is_active and (settings.DEMO_MODE or not user.is_demo))


class DemoAwareModelBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        return may_sign_in(user)
