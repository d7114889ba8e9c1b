"""Self-declarations (企业标准自我声明公开): the standards an enterprise's product follows."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao import stdcodes
from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import has_role
from zhibiao.core.modelfields import created_field, ref, updated_field
from zhibiao.core.permissions import RestrictedQuerySet
from zhibiao.core.standard_codes import code_problem
from zhibiao.core.workflow import StepRecord, revision_field, status_field


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

    enterprise = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="standard_declarations",
    )
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
    status = status_field(DeclarationStatus, DeclarationStatus.DRAFT, max_length=12)
    revision = revision_field(editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    flagged_at = models.DateTimeField(_("flagged at"), null=True, blank=True)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("flagged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    flag_reason = models.CharField(_("reason for the flag"), max_length=500, blank=True)
    created_at = created_field()
    updated_at = updated_field()

    objects = DeclarationQuerySet.as_manager()

    class Meta:
        verbose_name = _("self-declaration")
        verbose_name_plural = _("self-declarations")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DeclarationStatus.values),
                name="standards_declaration_status_valid",
                violation_error_message=_("Unknown status of declaration."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.product}"

    def get_absolute_url(self) -> str:
        return reverse("standards:declaration", args=[self.pk])

    def clean(self) -> None:

        errors: dict[str, str] = {}
        self.product = (self.product or "").strip()
        if self.own_code:
            try:
                code = stdcodes.parse(self.own_code)
            except stdcodes.CodeError as error:
                errors["own_code"] = code_problem(error)
            else:
                if code.level != stdcodes.Level.ENTERPRISE:
                    errors["own_code"] = gettext(
                        "An own standard is an enterprise standard, with a code starting Q/."
                    )
                elif len(code.canonical) > self._meta.get_field("own_code").max_length:
                    errors["own_code"] = gettext(
                        "A standard code has at most %(count)s characters: %(code)s"
                    ) % {
                        "count": self._meta.get_field("own_code").max_length,
                        "code": code.canonical,
                    }
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


class DeclarationStep(StepRecord):
    """One change of a declaration's status: published, withdrawn, published again."""

    declaration = ref(Declaration, _("self-declaration"), "steps")
    from_status = models.CharField(_("from"), max_length=20, choices=DeclarationStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=DeclarationStatus.choices)

    class Meta(StepRecord.Meta):
        verbose_name = _("declaration step")
        verbose_name_plural = _("declaration steps")
        ordering = ["declaration", "at", "pk"]


class DeclaredStandard(models.Model):
    """A standard named in a declaration, by canonical code, linked to the catalogue if known."""

    declaration = models.ForeignKey(
        Declaration,
        verbose_name=_("self-declaration"),
        on_delete=models.CASCADE,
        related_name="standards",
    )
    code = models.CharField(_("code"), max_length=80)
    standard = models.ForeignKey(
        "standards.Standard",
        verbose_name=_("catalogue entry"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="declarations",
    )
    own = models.BooleanField(_("own enterprise standard"), default=False)

    class Meta:
        verbose_name = _("declared standard")
        verbose_name_plural = _("declared standards")
        ordering = ["declaration", "-own", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "code"],
                name="standards_declared_unique",
                violation_error_message=_("This standard is already in the declaration."),
            )
        ]

    def __str__(self) -> str:
        return self.code
