"""Background jobs: run after commit, report progress, fail cleanly, and stay private."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for
from zhibiao.jobs import services
from zhibiao.jobs.models import Job, JobPart, JobStatus
from zhibiao.jobs.tasks import killed

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
    assert job.message == "任务因意外错误停止（RuntimeError: boom），详情见日志。"


def test_only_platform_tasks(admin_user):
    with pytest.raises(ValueError, match="not a platform task"):
        services.enqueue(admin_user, "os.system", title="t")


def test_a_job_runs_once(admin_user, allow_test_tasks):
    job = Job.objects.create(task="tests.jobs.tasks_for_tests.count_to", title="t", params={"n": 1})
    assert services.run(job.pk) is not None
    assert services.run(job.pk) is None


def _stale(**fields) -> Job:
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    return Job.objects.create(
        status=JobStatus.RUNNING, heartbeat_at=long_ago, created_at=long_ago, **fields
    )


def test_run_pending_retries_dead_jobs_fails_exhausted_ones_and_runs_queued_ones(
    settings, allow_test_tasks
):
    count = "tests.jobs.tasks_for_tests.count_to"
    dead = _stale(task=count, title="d", params={"n": 1}, attempts=1)
    exhausted = _stale(task=count, title="e", params={"n": 1}, attempts=settings.JOBS_MAX_ATTEMPTS)
    queued = Job.objects.create(task=count, title="q", params={"n": 2})
    assert services.run_pending() == {"stale": 1, "ran": 2}
    for job in (dead, exhausted, queued):
        job.refresh_from_db()
    assert (dead.status, dead.attempts) == (JobStatus.DONE, 2)
    assert exhausted.status == JobStatus.FAILED
    assert f"任务已中断 {settings.JOBS_MAX_ATTEMPTS} 次" in exhausted.message
    assert (queued.status, queued.attempts) == (JobStatus.DONE, 1)


def test_a_running_job_with_a_sign_of_life_is_not_taken_again(allow_test_tasks):
    job = Job.objects.create(
        task="tests.jobs.tasks_for_tests.count_to",
        title="t",
        params={"n": 1},
        status=JobStatus.RUNNING,
        heartbeat_at=timezone.now(),
        attempts=1,
    )
    assert services.run(job.pk) is None
    job.refresh_from_db()
    assert (job.status, job.attempts, job.done) == (JobStatus.RUNNING, 1, 0)


def test_the_sweep_sends_orphans_again_and_fails_exhausted_ones(settings, monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr(services, "dispatch", sent.append)
    dead = _stale(task="x", title="d", attempts=1)
    exhausted = _stale(task="x", title="e", attempts=settings.JOBS_MAX_ATTEMPTS)
    lost = Job.objects.create(task="x", title="lost")
    Job.objects.filter(pk=lost.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    fresh = Job.objects.create(task="x", title="just queued")
    alive = Job.objects.create(
        task="x", title="alive", status=JobStatus.RUNNING, heartbeat_at=timezone.now()
    )
    assert services.sweep() == {"failed": 1, "sent": 2}
    assert sorted(sent) == sorted([dead.pk, lost.pk])
    exhausted.refresh_from_db()
    assert exhausted.status == JobStatus.FAILED
    for job in (fresh, alive):
        assert Job.objects.get(pk=job.pk).status == job.status


def test_the_soft_time_limit_fails_the_job_with_a_message(settings, monkeypatch, allow_test_tasks):
    from celery.exceptions import SoftTimeLimitExceeded

    def over_time(progress):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr("tests.jobs.tasks_for_tests.explode", over_time)
    job = Job.objects.create(task="tests.jobs.tasks_for_tests.explode", title="t")
    services.run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    # In the site's language: the clerk who started it reads it on the job's page.
    assert job.message == f"任务超时（{settings.CELERY_TASK_SOFT_TIME_LIMIT} 秒），已停止。"


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


def test_a_private_result_is_linked_for_its_owner_only(users):
    """Staff may follow anyone's job, but a validity check's report is its owner's alone: the
    page does not offer staff a link that would answer 404."""
    result = {"link": "/standards/check/1/", "private": True}
    job = Job.objects.create(
        task="x", title="t", created_by=users["enterprise"], status=JobStatus.DONE, result=result
    )
    url = reverse("jobs:detail", args=[job.pk])
    assert result["link"] in client_for(users["enterprise"]).get(url).content.decode()
    assert result["link"] not in client_for(users["admin"]).get(url).content.decode()
    Job.objects.filter(pk=job.pk).update(result={"link": "/measures/screenings/"})
    assert "/measures/screenings/" in client_for(users["admin"]).get(url).content.decode()


def test_a_job_given_up_as_stopped_stays_failed_when_it_finishes(admin_user, allow_test_tasks):
    job = Job.objects.create(task="tests.jobs.tasks_for_tests.outlived", title="t", params={})
    services.run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message == "stopped"
    assert job.result in ({}, None)


def test_celery_mode_sends_the_job_to_the_workers_on_commit(
    settings, monkeypatch, admin_user, allow_test_tasks, django_capture_on_commit_callbacks
):
    from zhibiao.jobs.tasks import run_job

    settings.JOBS_MODE = "celery"
    sent: list[int] = []
    monkeypatch.setattr(run_job, "delay", sent.append)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.enqueue(admin_user, "tests.jobs.tasks_for_tests.count_to", title="t", n=1)
    assert sent == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert sent == [job.pk]
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED  # a worker runs it, not this process


def test_a_broker_that_is_down_leaves_the_job_queued_for_the_sweep(
    settings, monkeypatch, admin_user, allow_test_tasks, django_capture_on_commit_callbacks
):
    from zhibiao.jobs.tasks import run_job

    settings.JOBS_MODE = "celery"

    def down(job_id):
        raise ConnectionError("broker down")

    monkeypatch.setattr(run_job, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):  # robust: logged, not raised
        job = services.enqueue(admin_user, "tests.jobs.tasks_for_tests.count_to", title="t", n=1)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED


def test_inline_mode_runs_the_job_on_commit(
    settings, admin_user, allow_test_tasks, django_capture_on_commit_callbacks
):
    settings.JOBS_MODE = "inline"
    with django_capture_on_commit_callbacks(execute=True):
        job = services.enqueue(admin_user, "tests.jobs.tasks_for_tests.count_to", title="t", n=1)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)


@pytest.mark.parametrize(("mode", "ok"), [("celery", True), ("inline", True), ("threads", False)])
def test_the_mode_is_checked_when_the_settings_load(mode, ok, tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "ZHIBIAO_JOBS_MODE": mode, "ZHIBIAO_VAR_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", "from zhibiao import settings; print(settings.JOBS_MODE)"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert (done.returncode == 0) is ok
    if ok:
        assert done.stdout.strip() == mode
    else:
        assert "neither celery nor inline" in done.stderr


@pytest.mark.django_db(transaction=True)
def test_a_worker_beats_the_heartbeat_of_a_job_that_reports_no_progress(
    monkeypatch, allow_test_tasks
):
    """A long step without progress reports is not taken for a dead worker, and run again."""
    monkeypatch.setattr(services, "HEARTBEAT_EVERY", datetime.timedelta(seconds=0.05))
    job = Job.objects.create(task="tests.jobs.tasks_for_tests.wait_for_heartbeat", title="t")
    assert services.run(job.pk, heartbeat=True).result == {"beaten": True}


def test_the_scheduled_tasks_call_the_services_the_commands_call():
    """Beat's snapshot records yesterday, as `manage.py snapshot_indicators` does by default."""
    from zhibiao.dashboard.models import Snapshot
    from zhibiao.dashboard.tasks import snapshot_indicators
    from zhibiao.supply.tasks import flag_overdue

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert snapshot_indicators() > 0
    assert set(Snapshot.objects.values_list("day", flat=True)) == {yesterday}
    assert flag_overdue() == 0  # no demand overdue


def test_a_part_killed_at_the_hard_time_limit_fails_with_its_job(settings):
    """The worker's main process is told of the kill with the task's arguments: a part's
    delivery carries the job's id and the part's number, and both rows are marked failed."""
    settings.CELERY_TASK_TIME_LIMIT = 7
    job = Job.objects.create(task="zhibiao.x", title="t", status=JobStatus.RUNNING)
    parts = [
        JobPart.objects.create(job=job, number=n, task="zhibiao.x", status=JobStatus.RUNNING)
        for n in (1, 2)
    ]
    killed((job.pk, 2))
    parts[0].refresh_from_db()
    parts[1].refresh_from_db()
    job.refresh_from_db()
    assert (parts[0].status, parts[1].status, job.status) == ("running", "failed", "failed")
    assert parts[1].message == job.message == "任务超时（7 秒），已停止。"
    assert parts[1].finished_at is not None


def test_the_admin_site_shows_a_jobs_parts_read_only(admin_user):
    job = Job.objects.create(task="zhibiao.x", title="甄别", status=JobStatus.FAILED)
    JobPart.objects.create(
        job=job, number=3, task="zhibiao.x", status=JobStatus.FAILED, message="第 3 部分出错"
    )
    client = client_for(admin_user)
    page = client.get(f"/admin/jobs/job/{job.pk}/change/").content.decode()
    assert "第 3 部分出错" in page
    assert client.get("/admin/jobs/jobpart/").status_code == 200
    assert client.get("/admin/jobs/jobpart/add/").status_code == 403
