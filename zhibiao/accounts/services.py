"""Business operations on accounts: passwords and API tokens."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.accounts.backends import may_sign_in
from zhibiao.accounts.models import ApiToken, User
from zhibiao.accounts.permissions import is_district_admin
from zhibiao.audit.services import record

#: Writing last_used_at on every request would turn each read into a write; once a minute is
#: enough to tell a live token from a forgotten one.
_LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def user_for_token(key: str) -> User | None:
    """The user a live token belongs to, if that user may sign in; None otherwise."""
    token = (
        ApiToken.objects.live()
        .select_related("user", "user__organisation")
        .filter(digest=ApiToken.digest_of(key))
        .first()
    )
    if token is None or not may_sign_in(token.user):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def change_password(actor: User, form: SetPasswordForm) -> User:
    """Save a validated change of the actor's own password (Django's validators have passed:
    twelve characters at least, not common, not all digits, not like the user's names)."""
    if form.user.pk != actor.pk:
        raise PermissionDenied
    user = form.save()
    record(actor, "user.password_change", user)
    return user


@transaction.atomic
def create_token(
    actor: User | None,
    *,
    name: str,
    expires_at: datetime.datetime | None = None,
    owner: User | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for `owner` (the acting user when not given); returns it with the key,
    which is never stored.

    People create their own tokens only; the system (a management command, actor None) creates
    one for any user, and the trail says so: the entry is the system's, naming the owner, not
    one the owner seems to have made.

    Without a date the token lasts `API_TOKEN_DAYS` (90): a key forgotten in a script or a
    leaked file stops working by itself (ASVS 3.5); a later date may be chosen explicitly.
    """
    owner = owner or actor
    if owner is None:
        raise ValueError("create_token needs the user the token is for")
    if actor is not None and owner.pk != actor.pk:
        raise PermissionDenied
    if expires_at is None:
        expires_at = timezone.now() + datetime.timedelta(days=settings.API_TOKEN_DAYS)
    latest = timezone.now() + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS)
    if expires_at > latest:
        raise ValidationError(
            {
                "expires_on": gettext(
                    "A token lasts at most %(days)s days; choose an earlier date."
                )
                % {"days": settings.API_TOKEN_MAX_DAYS}
            }
        )
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=owner,
        name=name.strip() or "API",
        prefix=key[3:11],
        digest=ApiToken.digest_of(key),
        expires_at=expires_at,
    )
    owned = {} if actor is not None else {"owner": owner.get_username()}
    record(actor, "api_token.create", token, name=token.name, **owned)
    return token, key


@transaction.atomic
def revoke_token(actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token: the owner's own, or any for district staff (the admin site's action);
    revoking twice changes nothing. A revoked token is never brought back."""
    if token.user_id != actor.pk and not is_district_admin(actor):
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor, "api_token.revoke", token)
    return token
