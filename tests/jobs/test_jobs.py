"""Background jobs: run after commit, report progress, fail cleanly, and stay private."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for
from zhibiao.jobs import services
from zhibiao.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def allow_test_tasks(monkeypatch):
    monkeypatch.setattr(services, "ALLOWED_PREFIXES", ("zhibiao.", "tests."))


def test_runs_on_commit_and_records_result(
    admin_user, allow_test_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.enqueue(admin_user, "tests.jobs.tasks_for_tests.count_to", title="t", n=3)
        assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED  # nothing before commit
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.result == {"counted": 3}
    assert (job.done, job.total, job.percent) == (3, 3, 100)


def test_failure_is_recorded_not_raised(
    admin_user, allow_test_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.enqueue(admin_user, "tests.jobs.tasks_for_tests.explode", title="t")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "boom" in job.message


def test_only_platform_tasks(admin_user):
    with pytest.raises(ValueError, match="not a platform task"):
        services.enqueue(admin_user, "os.system", title="t")


def test_a_job_runs_once(admin_user, allow_test_tasks):
    job = Job.objects.create(task="tests.jobs.tasks_for_tests.count_to", title="t", params={"n": 1})
    assert services.run(job.pk) is not None
    assert services.run(job.pk) is None


def test_stale_jobs_fail_and_queued_ones_run(admin_user, allow_test_tasks):
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    stale = Job.objects.create(task="x", title="s", status=JobStatus.RUNNING, heartbeat_at=long_ago)
    queued = Job.objects.create(
        task="tests.jobs.tasks_for_tests.count_to", title="q", params={"n": 2}
    )
    assert services.run_pending() == {"stale": 1, "ran": 1}
    stale.refresh_from_db()
    queued.refresh_from_db()
    assert stale.status == JobStatus.FAILED
    assert queued.status == JobStatus.DONE


def test_progress_page_is_private(users):
    job = Job.objects.create(task="x", title="mine", created_by=users["enterprise"])
    url = reverse("jobs:detail", args=[job.pk])
    assert client_for(None).get(url).status_code == 302
    assert client_for(users["provider"]).get(url).status_code == 404
    assert client_for(users["admin"]).get(url).status_code == 200
    page = client_for(users["enterprise"]).get(url)
    assert page.status_code == 200
    assert 'http-equiv="refresh"' in page.content.decode()  # keeps going without JavaScript
    partial = client_for(users["enterprise"]).get(url, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert 'hx-trigger="every 1s"' in partial.content.decode()


def test_a_job_given_up_as_stopped_stays_failed_when_it_finishes(admin_user, allow_test_tasks):
    job = Job.objects.create(task="tests.jobs.tasks_for_tests.outlived", title="t", params={})
    services.run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message == "stopped"
    assert job.result in ({}, None)


def test_jobs_share_a_bounded_pool_of_threads(settings, monkeypatch):
    """Six uploads at once start no more than JOBS_WORKERS threads; the rest wait their turn
    (issue 11: each job had its own thread, without bound)."""
    import threading
    import time

    settings.JOBS_INLINE = False
    settings.JOBS_WORKERS = 2
    monkeypatch.setattr(services, "_pool", None)
    lock = threading.Lock()
    running, most, ran = [0], [0], []

    def fake_run(job_id: int) -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
            ran.append(job_id)

    monkeypatch.setattr(services, "_run_in_thread", fake_run)
    for job_id in range(6):
        services._start(job_id)
    services._executor().shutdown(wait=True)
    assert sorted(ran) == list(range(6))
    assert most[0] == 2
