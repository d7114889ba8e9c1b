"""Self-declarations (企业标准自我声明公开): the standards an enterprise's product follows."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.core.modelfields import ref, unique, user_ref, valid_choice
from zhibiao.core.permissions import RestrictedQuerySet


class DeclarationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DeclarationQuerySet(RestrictedQuerySet):
    def published(self) -> DeclarationQuerySet:
        return self.filter(status=DeclarationStatus.PUBLISHED)

    def _visible_to(self, user) -> DeclarationQuerySet:
        """Published declarations are public; drafts only for their enterprise and staff."""
        return self.filter(
            Q(status=DeclarationStatus.PUBLISHED) | Q(pk__in=self.restrict(user, "change"))
        )

    def _editable_by(self, user) -> DeclarationQuerySet:
        from zhibiao.accounts.models import Role
        from zhibiao.accounts.permissions import has_role

        if not has_role(user, Role.ENTERPRISE, Role.BASE_MANAGER) or not user.organisation_id:
            return self.none()
        return self.filter(enterprise_id=user.organisation_id)

    actions = {"view": _visible_to, "change": _editable_by}


class Declaration(models.Model):
    """An enterprise's public declaration of the standards one product follows.

    When the product follows the enterprise's own standard (``Q/…``), the declaration must
    publish its function and performance indicators or its full text, as the rules of
    企业标准自我声明公开 require.
    """

    enterprise = ref("directory.Organisation", _("enterprise"), "standard_declarations")
    product = models.CharField(_("product"), max_length=200)
    product_category = models.CharField(_("product category"), max_length=100, blank=True)
    own_code = models.CharField(
        _("own enterprise standard"),
        max_length=80,
        blank=True,
        help_text=_("The code of the enterprise's own standard, such as Q/31XXXX 001-2023."),
    )
    own_title = models.CharField(_("title of the own standard"), max_length=200, blank=True)
    indicators = models.TextField(
        _("function and performance indicators"),
        blank=True,
        help_text=_("One indicator a line: name, value and unit, and the test method."),
    )
    full_text = models.TextField(_("full text of the own standard"), blank=True)
    statement = models.TextField(
        _("declaration"),
        help_text=_("The enterprise's statement that the product meets these standards."),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DeclarationStatus.choices,
        default=DeclarationStatus.DRAFT,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    flagged_at = models.DateTimeField(_("flagged at"), null=True, blank=True)
    flagged_by = user_ref(_("flagged by"), on_delete=models.SET_NULL, null=True, blank=True)
    flag_reason = models.CharField(_("reason for the flag"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DeclarationQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("self-declaration"), _("self-declarations")
        ordering = ["-published_at", "-pk"]
        constraints = [
            valid_choice(
                "standards_declaration_status_valid",
                "status",
                DeclarationStatus,
                _("Unknown status of declaration."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.product}"

    def get_absolute_url(self) -> str:
        return reverse("standards:declaration", args=[self.pk])

    def clean(self) -> None:
        from zhibiao import stdcodes

        errors: dict[str, str] = {}
        self.product = (self.product or "").strip()
        if self.own_code:
            try:
                code = stdcodes.parse(self.own_code)
            except ValueError:
                errors["own_code"] = gettext("This is not a standard code.")
            else:
                if code.level != stdcodes.Level.ENTERPRISE:
                    errors["own_code"] = gettext(
                        "An own standard is an enterprise standard, with a code starting Q/."
                    )
                else:
                    self.own_code = code.canonical
            if not (self.indicators or "").strip() and not (self.full_text or "").strip():
                errors["indicators"] = gettext(
                    "For an own enterprise standard, publish its function and performance "
                    "indicators or its full text."
                )
        if self.enterprise_id and self.enterprise.kind != "enterprise":
            errors["enterprise"] = gettext("Only enterprises declare standards.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_flagged(self) -> bool:
        return self.flagged_at is not None


class DeclaredStandard(models.Model):
    """A standard named in a declaration, by canonical code, linked to the catalogue if known."""

    declaration = ref(Declaration, _("self-declaration"), "standards", on_delete=models.CASCADE)
    code = models.CharField(_("code"), max_length=80)
    standard = ref(
        "standards.Standard",
        _("catalogue entry"),
        "declarations",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    own = models.BooleanField(_("own enterprise standard"), default=False)

    class Meta:
        verbose_name, verbose_name_plural = _("declared standard"), _("declared standards")
        ordering = ["declaration", "-own", "code"]
        constraints = [
            unique(
                "standards_declared_unique",
                "declaration",
                "code",
                message=_("This standard is already in the declaration."),
            )
        ]

    def __str__(self) -> str:
        return self.code
