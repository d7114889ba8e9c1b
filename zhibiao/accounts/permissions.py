"""Role checks shared by views, API and services.

Object-level rules live on each model's queryset, as its table of actions asked through
`restrict(user, action)` (zhibiao.core.permissions), so that a view and an API endpoint that
fetch the same object apply the same rule; these helpers answer only "is this user of that
role", and `acts_for`: for which organisation the user holds rights.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeAlias
from urllib.parse import urlsplit

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.urls import Resolver404, resolve

from zhibiao.accounts.models import ORGANISATION_ROLES, Role, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from zhibiao.directory.models import Organisation

#: The acting user the services take: a signed-in user, or the anonymous one (pages and API
#: pass `request.user`). Below accounts, `zhibiao.core.actors.Actor` names the same thing.
Actor: TypeAlias = "User | AnonymousUser"


def is_district_admin(user: Actor | None) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and (user.is_superuser or user.role == Role.ADMIN)
    )


def by_district_staff(actor: Any, obj: object = None) -> bool:
    """A workflow step's `may` for the steps only the district's staff take, whatever the
    object (`zhibiao.core.workflow.Step`): the review, the decision, the publication. The
    engine, below accounts, types its actor as Django's user base class; hence `Any`."""
    return is_district_admin(actor)


def has_role(user: Actor, *roles: str) -> bool:
    if not user.is_authenticated:
        return False
    return user.role in roles or (Role.ADMIN in roles and user.is_superuser)


def acts_for(user: Actor | None) -> int | None:
    """The id of the organisation whose rights the user holds, or None.

    `User.organisation` means two things. For the roles of ORGANISATION_ROLES (and for a
    district administrator who names one) it is the organisation they act for. For a committee
    expert it is only their employer, recorded so that conflicts of interest keep them off its
    files: acting alone, an expert holds none of its rights. Every rule that grants rights by
    organisation asks this, never `user.organisation_id`; the conflict-of-interest rules, which
    restrict, keep reading the employer.
    """
    if user is None or not user.is_authenticated or not user.organisation_id:
        return None
    if user.role in ORGANISATION_ROLES or is_district_admin(user):
        return user.organisation_id
    return None


def acting_organisation(user: Actor | None) -> Organisation | None:
    """The organisation itself, for services that record or check it (see `acts_for`)."""
    # Only a signed-in User acts for an organisation; the isinstance says so to the type checker.
    if isinstance(user, User) and acts_for(user) is not None:
        return user.organisation
    return None


def users_acting_for(organisation_ids: Iterable[int]) -> QuerySet[User]:
    """The active users who act for these organisations: who is told what concerns one of them.

    An expert who merely works there is left out, as they may not open what they would be told
    about (see `acts_for`).
    """
    return User.objects.filter(
        Q(role__in=sorted(ORGANISATION_ROLES | {Role.ADMIN})) | Q(is_superuser=True),
        organisation_id__in=list(organisation_ids),
        is_active=True,
    )


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

        # Said on the view, so that a page can ask before linking to it (`may_open`).
        wrapper.required_roles = roles  # type: ignore[attr-defined]
        return wrapper

    return decorator


def may_open(user: Actor, path: str) -> bool:
    """Whether the page at `path` lets the user in by role (`role_required`): a page links no
    one to a page that would refuse them. An address that is no page is not opened; the object
    rules of the page itself (a record not shown to the user) are the page's to apply."""
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return False
    roles = getattr(match.func, "required_roles", None)
    if roles is None:
        return True
    return user.is_authenticated and (not roles or has_role(user, *roles))


def ensure(condition: bool) -> None:
    """Raise PermissionDenied unless the condition holds; services call it on the acting user."""
    if not condition:
        raise PermissionDenied
