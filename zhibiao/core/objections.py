"""Objections raised during a public notice (公示): one shape for every notice.

An application's notice and the quality award's notice take objections the same way: anyone
signed in files one with a text, staff resolve it by upholding or dismissing it with a note.
`ObjectionRecord` is that row, abstract; a concrete model adds the foreign key to what is on
notice and its ordering. Its two methods are the rules both notices share, so a text is bounded
and a resolution explained the same way everywhere; what an upheld objection does (reject the
application, withhold the award) stays with the service that calls them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.core.errors import TransitionRefused
from zhibiao.core.modelfields import user_ref

#: An objection's text and a resolution's note are bounded: a statement, not a file store.
TEXT_MAX = 5000


class ObjectionRecord(models.Model):
    """An objection raised during the public notice, and how staff resolved it."""

    class Resolution(models.TextChoices):
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    filed_by = user_ref(_("filed by"))
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    text = models.TextField(_("objection"))
    resolution = models.CharField(
        _("resolution"), max_length=10, choices=Resolution.choices, blank=True
    )
    resolution_note = models.TextField(_("resolution note"), blank=True)
    resolved_by = user_ref(_("resolved by"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        abstract = True
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    @staticmethod
    def clean_text(text: Any, field: str = "text") -> str:
        """The objection's text, stripped; refused by field when empty or too long."""
        text = str(text or "").strip()
        if not text:
            raise ValidationError({field: gettext("Say what the objection is.")})
        if len(text) > TEXT_MAX:
            raise ValidationError(
                {field: gettext("At most %(count)s characters.") % {"count": TEXT_MAX}}
            )
        return text

    def resolve(self, actor, resolution: str, note: Any) -> str:
        """Record staff's resolution (saved); returns the note. Refused once resolved, for an
        unknown resolution, or without a note saying why."""
        if self.resolution:
            raise TransitionRefused(gettext("This objection is already resolved."))
        if resolution not in self.Resolution.values:
            raise ValidationError({"resolution": gettext("Uphold or dismiss the objection.")})
        note = str(note or "").strip()
        if not note:
            raise ValidationError({"note": gettext("Explain the resolution.")})
        if len(note) > TEXT_MAX:
            raise ValidationError(
                {"note": gettext("At most %(count)s characters.") % {"count": TEXT_MAX}}
            )
        changes = {
            "resolution": resolution,
            "resolution_note": note,
            "resolved_by": actor,
            "resolved_at": timezone.now(),
        }
        # Conditional on "not yet resolved": of two staff resolving it at once (one upholding,
        # one dismissing), exactly one decides.
        if not type(self)._default_manager.filter(pk=self.pk, resolution="").update(**changes):
            raise TransitionRefused(gettext("This objection is already resolved."))
        for field, value in changes.items():
            setattr(self, field, value)
        return note
