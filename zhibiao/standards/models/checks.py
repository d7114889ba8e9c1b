"""Validity checks (标准查新): a document's cited standards and what became of each."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhibiao.core.modelfields import created_field, ref, user_ref
from zhibiao.core.permissions import RestrictedQuerySet


class PrivateStorage(FileSystemStorage):
    """Files that only their owner may download, through a view: never under MEDIA_URL.

    The location is read from settings on every use, so tests can point it elsewhere.
    """

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self):  # type: ignore[override]
        return settings.PRIVATE_ROOT

    @property
    def location(self):  # type: ignore[override]
        return str(settings.PRIVATE_ROOT)

    def deconstruct(self):
        return ("zhibiao.standards.models.checks.PrivateStorage", (), {})


private_storage = PrivateStorage()


def _private_storage() -> PrivateStorage:
    return private_storage


class CheckState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Verdict(models.TextChoices):
    """What the check says about one cited code."""

    CURRENT = "current", _("In force")
    SUPERSEDED = "superseded", _("Superseded")
    #: The cited edition is absent, but the catalogue holds a later edition of its base code:
    #: an inference, kept apart from a replacement a source stated (issue 15).
    INFERRED = "inferred", _("Likely superseded (inferred)")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    UPCOMING = "upcoming", _("Not yet in force")
    UNKNOWN = "unknown", _("Not in the catalogue")


class CheckQuerySet(RestrictedQuerySet):
    def _visible_to(self, user) -> CheckQuerySet:
        """A report belongs to the user who ran it; nobody else sees it, not even staff:
        the document may be confidential."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)

    actions = {"view": _visible_to}


class Check(models.Model):
    """One run of the validity check over an uploaded file or pasted text."""

    owner = user_ref(_("owner"), "standard_checks", on_delete=models.CASCADE)
    name = models.CharField(_("document"), max_length=200)
    file = models.FileField(
        _("file"), storage=_private_storage, upload_to="checks/%Y/%m/", blank=True
    )
    file_kind = models.CharField(_("file type"), max_length=10, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=CheckState.choices, default=CheckState.QUEUED
    )
    error = models.CharField(_("error"), max_length=500, blank=True)
    characters = models.PositiveIntegerField(_("characters read"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    job = ref(
        "jobs.Job", _("background job"), "+", on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = created_field()
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = CheckQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("validity check"), _("validity checks")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("standards:check", args=[self.pk])


class CheckItem(models.Model):
    """One distinct cited edition in a checked document, with every place it was found."""

    check_run = ref(Check, _("validity check"), "items", on_delete=models.CASCADE)
    order = models.PositiveIntegerField(_("order"))
    code = models.CharField(_("cited code"), max_length=80)
    found = models.JSONField(_("as written"), default=list)
    locations = models.JSONField(_("where"), default=list)
    count = models.PositiveIntegerField(_("occurrences"), default=1)
    dated = models.BooleanField(_("dated"), default=True)
    verdict = models.CharField(_("verdict"), max_length=12, choices=Verdict.choices)
    title = models.CharField(_("title"), max_length=300, blank=True)
    chain = models.JSONField(_("replacements"), default=list)
    current = models.CharField(_("current edition"), max_length=80, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name, verbose_name_plural = _("cited standard"), _("cited standards")
        ordering = ["check_run", "order"]

    def __str__(self) -> str:
        return self.code

    @property
    def replaced_by(self) -> str:
        return self.chain[0]["code"] if self.chain else ""
