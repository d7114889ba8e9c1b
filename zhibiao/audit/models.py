"""The audit trail: one row per business operation, never edited or deleted."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhibiao.core.modelfields import ref, user_ref


class AuditEntry(models.Model):
    """Who did what to which object, when, and with which changes or reason."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = user_ref(_("actor"), "audit_entries", on_delete=models.SET_NULL, null=True, blank=True)
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = ref(ContentType, _("target type"), null=True, blank=True)
    target_id = models.CharField(_("target ID"), max_length=64, blank=True)
    target_repr = models.CharField(_("target"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name, verbose_name_plural = _("audit entry"), _("audit entries")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.action} {self.target_repr}"
