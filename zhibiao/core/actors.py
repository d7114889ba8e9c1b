"""The acting user, as the services name it.

core sits below accounts and may not import it, so here the actor is Django's own user base
class or the anonymous user; the apps above accounts use `zhibiao.accounts.permissions.Actor`,
the platform's `User` or the anonymous user, which fits wherever this one is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

Actor: TypeAlias = "AbstractBaseUser | AnonymousUser"
