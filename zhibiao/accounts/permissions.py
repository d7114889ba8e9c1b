"""Role checks shared by views, API and services.

Object-level rules live on each model's queryset (`visible_to`, `editable_by`), so that a view and
an API endpoint that fetch the same object apply the same rule; these helpers answer only
"is this user of that role".
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from zhibiao.accounts.models import Role


def is_district_admin(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and (user.is_superuser or user.role == Role.ADMIN)
    )


def has_role(user, *roles: str) -> bool:
    if not user.is_authenticated:
        return False
    return user.role in roles or (Role.ADMIN in roles and user.is_superuser)


def role_required(*roles: str) -> Callable:
    """Send the anonymous to the login page and refuse (403) a signed-in user of another role."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if roles and not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def ensure(condition: bool) -> None:
    """Raise PermissionDenied unless the condition holds; services call it on the acting user."""
    if not condition:
        raise PermissionDenied
