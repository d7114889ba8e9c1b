"""User accounts with one role each, and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.core.modelfields import check, created_field, ref, valid_choice


class Role(models.TextChoices):
    """The kinds of users of the platform; a user has exactly one."""

    ADMIN = "admin", _("District administrator")
    EXPERT = "expert", _("Committee expert")
    ENTERPRISE = "enterprise", _("Enterprise user")
    BASE_MANAGER = "base_manager", _("Training-base manager")
    CHAMBER = "chamber", _("Chamber user")
    PROVIDER = "provider", _("Service provider")
    DEPARTMENT = "department", _("Department user")


#: Roles that act for one organisation and so must be linked to it. A department user acts for
#: a government department and verifies the records that department attests (an adoption).
ORGANISATION_ROLES = {
    Role.ENTERPRISE,
    Role.BASE_MANAGER,
    Role.CHAMBER,
    Role.PROVIDER,
    Role.DEPARTMENT,
}


class ZhibiaoUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """`createsuperuser` makes the first district administrator."""
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in. The role decides the home page and what they may change."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = ref(
        "directory.Organisation",
        _("organisation"),
        "users",
        null=True,
        blank=True,
        help_text=_("The organisation the user acts for; required except for administrators."),
    )
    is_demo = models.BooleanField(
        _("demo account"),
        default=False,
        help_text=_("Demo accounts can sign in only while the platform runs in demo mode."),
    )

    objects = ZhibiaoUserManager()

    class Meta:
        verbose_name, verbose_name_plural = _("user"), _("users")
        constraints = [
            valid_choice("accounts_user_role_valid", "role", Role, _("Unknown role.")),
            check(
                "accounts_user_org_role_has_org",
                ~Q(role__in=sorted(ORGANISATION_ROLES)) | Q(organisation__isnull=False),
                _("This role acts for an organisation: choose one."),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def has_perm(self, perm: str, obj=None) -> bool:
        """District administrators may do everything in the admin site, as superusers may.

        They still need `is_staff` to enter it; model permissions for other roles stay unused,
        because every page outside the admin site checks the role and the object instead.
        """
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_module_perms(app_label)

    def clean(self) -> None:
        super().clean()
        if self.role in ORGANISATION_ROLES and not self.organisation_id:
            raise ValidationError(
                {"organisation": gettext("This role acts for an organisation: choose one.")}
            )


class ApiTokenQuerySet(models.QuerySet):
    def live(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 digest is stored; the key is shown once."""

    user = ref(User, _("user"), "api_tokens", on_delete=models.CASCADE)
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    created_at = created_field()
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("API token"), _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "zb_" + secrets.token_urlsafe(32)
