"""Every page of the admin site leaves its changes in the audit trail, those that other
packages register included: a group's permissions, and the sign-in attempts whose deletion
unlocks a user name (or erases the record of a guessing attack)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.clients import client_for
from zhibiao.audit.models import AuditEntry
from zhibiao.core.admin import AuditedModelAdmin, ReadOnlyAdmin
from zhibiao.jobs.models import Job

pytestmark = pytest.mark.django_db


def test_every_admin_page_is_audited_or_read_only():
    unaudited = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, (AuditedModelAdmin, ReadOnlyAdmin))
    ]
    assert unaudited == []


def test_unlocking_a_user_name_is_in_the_trail(admin_user, enterprise_user):
    attempt = AccessAttempt.objects.create(
        username=enterprise_user.username,
        ip_address="203.0.113.7",
        user_agent="",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
        failures_since_start=5,
    )
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert client_for(admin_user).post(url, {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.exists()
    entry = AuditEntry.objects.get(action="accessattempt.delete")
    assert entry.actor == admin_user and entry.data["via"] == "admin"


def test_a_group_and_its_permissions_are_in_the_trail(admin_user):
    url = reverse("admin:auth_group_add")
    assert client_for(admin_user).post(url, {"name": "审核员"}).status_code == 302
    group = Group.objects.get(name="审核员")
    entry = AuditEntry.objects.get(action="group.create")
    assert (entry.actor, entry.target_id) == (admin_user, str(group.pk))


def test_a_job_deleted_in_the_admin_site_is_in_the_trail(admin_user):
    job = Job.objects.create(task="zhibiao.x", title="测试", status="done")
    url = reverse("admin:jobs_job_delete", args=[job.pk])
    assert client_for(admin_user).post(url, {"post": "yes"}).status_code == 302
    assert AuditEntry.objects.filter(action="job.delete", target_id=str(job.pk)).count() == 1
