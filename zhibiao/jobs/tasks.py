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
        if not soft and self.args:
            services.fail_timed_out(int(self.args[0]))


class JobTask(Task):
    Request = JobRequest


@app.task(name="zhibiao.jobs.tasks.run_job", base=JobTask)
def run_job(job_id: int) -> str:
    """Run the job unless another delivery of it runs or ran it (services.run)."""
    job = services.run(job_id, heartbeat=True)
    return job.status if job else "skipped"


@app.task(name="zhibiao.jobs.tasks.sweep_jobs")
def sweep_jobs() -> dict[str, int]:
    """Fail dead jobs out of attempts, send the other orphans again (beat, every 5 minutes)."""
    return services.sweep()
