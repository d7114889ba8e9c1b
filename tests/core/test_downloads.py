"""Served files take their type from their content, never from the uploader's file name, and
a job's title does not show staff the name of an enterprise's private document (issue 11)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.clients import client_for
from zhibiao.jobs.models import Job
from zhibiao.standards import services as standards
from zhibiao.supply import services as supply

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_an_attachment_is_served_as_what_it_is(enterprise_user):
    demand = supply.post_demand(
        enterprise_user,
        {"category": "testing", "description": "检测需求"},
        files=[SimpleUploadedFile("photo.html", PNG)],
    )
    response = client_for(enterprise_user).get(
        reverse("supply:attachment", args=[demand.attachments.get().pk])
    )
    assert response["Content-Type"] == "image/png"  # not text/html, as the name says
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


def test_a_checked_document_is_served_as_what_it_is(enterprise_user):
    page = b"<html><script>alert(1)</script> GB 19272-2011</html>"
    check = standards.start_check(enterprise_user, upload=SimpleUploadedFile("report.html", page))
    response = client_for(enterprise_user).get(reverse("standards:check_file", args=[check.pk]))
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_background_check_keeps_its_file_name_out_of_the_job_title(enterprise_user, settings):
    settings.STANDARDS_CHECK_INLINE_BYTES = 10
    check = standards.start_check(
        enterprise_user,
        upload=SimpleUploadedFile("收购目标公司内部标准清单.txt", "依据GB 19272-2011。".encode()),
    )
    job = Job.objects.get()
    assert check.job == job
    assert "收购" not in job.title
    assert str(check.pk) in job.title
