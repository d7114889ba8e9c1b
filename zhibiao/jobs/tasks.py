"""The Celery tasks of background jobs: run one job; sweep the jobs whose worker died."""

from __future__ import annotations

from celery import Task
from celery.worker.request import Request

from zhibiao.celery import app
from zhibiao.jobs import services


class JobRequest(Request):
    """A job's delivery as the worker's main process sees it.

    At the hard time limit the pool kills the process running the job, which therefore cannot
    record anything; the main process marks the job failed here instead.
    """

    def on_timeout(self, soft: bool, timeout: float) -> None:
        super().on_timeout(soft, timeout)
        if not soft:
            killed(self.args)


def killed(args: tuple | list) -> None:
    """Record the kill of a job's delivery: its arguments are a job's id (run_job), or a job's id
    and a part's number (run_job_part)."""
    if args:
        services.fail_timed_out(int(args[0]), int(args[1]) if len(args) > 1 else None)


class JobTask(Task):
    Request = JobRequest


@app.task(name="zhibiao.jobs.tasks.run_job", base=JobTask)
def run_job(job_id: int) -> str:
    """Run the job unless another delivery of it runs or ran it (services.run)."""
    job = services.run(job_id, heartbeat=True)
    return job.status if job else "skipped"


@app.task(name="zhibiao.jobs.tasks.run_job_part", base=JobTask, bind=True, max_retries=None)
def run_job_part(self: Task, job_id: int, number: int) -> str:
    """Run one part of a split job (services.run_part); a part that raised with attempts left
    is sent again after a pause. Its attempts, not Celery's retry count, cap it."""
    outcome = services.run_part(job_id, number, heartbeat=True)
    if outcome == services.PART_RETRY:
        raise self.retry(countdown=services.PART_RETRY_SECONDS)
    return outcome


@app.task(name="zhibiao.jobs.tasks.sweep_jobs")
def sweep_jobs() -> dict[str, int]:
    """Fail dead jobs out of attempts, send the other orphans again (beat, every 5 minutes)."""
    return services.sweep()
