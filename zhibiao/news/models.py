"""News reports on the public site, linked to the events, policies, batches and bases they
concern.

Their own app since issue 12: they mostly report events, but also policies and training bases,
and the events app has no need of them (an event's page reads its news through the reverse
relation `event.news`). The table kept its name from the events app (`events_newsitem`), so
moving the model moved no data.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.permissions import is_district_admin
from zhibiao.core.permissions import RestrictedQuerySet
from zhibiao.core.workflow import revision_field


class NewsQuerySet(RestrictedQuerySet):
    def _visible_to(self, user) -> NewsQuerySet:
        """Published news for everyone; drafts for district administrators."""
        if is_district_admin(user):
            return self
        return self.filter(is_published=True, published_on__lte=timezone.localdate())

    actions = {"view": _visible_to}


class NewsItem(models.Model):
    """A news report on the public site, linked to the events, policies and bases it concerns."""

    title = models.CharField(_("title"), max_length=200)
    published_on = models.DateField(_("published on"))
    source = models.CharField(_("source"), max_length=100, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("text"))
    events = models.ManyToManyField(
        "events.Event", verbose_name=_("events"), blank=True, related_name="news"
    )
    policies = models.ManyToManyField(
        "policies.PolicyDocument", verbose_name=_("policies"), blank=True, related_name="news"
    )
    batches = models.ManyToManyField(
        "bases.Batch", verbose_name=_("training-base batches"), blank=True, related_name="news"
    )
    bases = models.ManyToManyField(
        "bases.TrainingBase", verbose_name=_("training bases"), blank=True, related_name="news"
    )
    is_published = models.BooleanField(_("published"), default=True)
    #: Counted up by each correction: a correction from a page that showed an older revision
    #: is refused instead of writing that page's values back (`services.save_news`).
    revision = revision_field(editable=False)

    objects = NewsQuerySet.as_manager()

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        ordering = ["-published_on", "-pk"]
        db_table = "events_newsitem"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("news:detail", args=[self.pk])
