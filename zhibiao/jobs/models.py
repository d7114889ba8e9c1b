"""A background job: what to run, how far it got, and what came of it."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.permissions import is_district_admin
from zhibiao.core.modelfields import ref, unique, user_ref
from zhibiao.core.permissions import RestrictedQuerySet


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class JobQuerySet(RestrictedQuerySet):
    def _visible_to(self, user) -> JobQuerySet:
        """A job is its starter's; district administrators see all."""

        if is_district_admin(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(created_by=user)

    actions = {"view": _visible_to}


class Job(models.Model):
    """One run of a task function (a dotted path under zhibiao.), with its progress."""

    task = models.CharField(_("task"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_by = user_ref(_("started by"), "jobs", on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    # How many times a worker took the job: more than one when a worker died under it and the
    # job was handed out again; capped by JOBS_MAX_ATTEMPTS (zhibiao.jobs.services.run).
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # A job split into parts (zhibiao.jobs.services.split) is finished by its last part, which
    # hands the parts' results to this function (a dotted path under zhibiao.).
    combine = models.CharField(_("combining step"), max_length=200, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("background job"), _("background jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["task", "status"], name="jobs_task_status")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


class JobPart(models.Model):
    """One part of a job split across the workers (a chunk of a screening): its own Celery
    task, taken, retried and capped like a job (zhibiao.jobs.services.run_part)."""

    job = ref(Job, _("job"), "parts", on_delete=models.CASCADE)
    number = models.PositiveIntegerField(_("part number"))
    task = models.CharField(_("task"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    message = models.CharField(_("message"), max_length=300, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name, verbose_name_plural = _("part of a job"), _("parts of jobs")
        ordering = ["job", "number"]
        constraints = [
            unique("jobs_part_once", "job", "number", message=_("This part already exists."))
        ]

    def __str__(self) -> str:
        return f"{self.job} #{self.number}"
