"""The short survey after an event: each attendee's answers."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhibiao.core.modelfields import check
from zhibiao.events.models.registration import Registration


class Feedback(models.Model):
    """An attendee's answers to the short survey after the event: one per registration."""

    registration = models.OneToOneField(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("overall satisfaction (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    usefulness = models.PositiveSmallIntegerField(
        _("usefulness for your work (1–5)"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("comments and suggestions"), blank=True, max_length=2000)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-submitted_at"]
        constraints = [
            check(
                "events_feedback_scores_1_to_5",
                Q(satisfaction__gte=1, satisfaction__lte=5)
                & Q(usefulness__gte=1, usefulness__lte=5),
                _("Scores are between 1 and 5."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration}: {self.satisfaction}"
