"""Task functions the job tests run (a task is any function under zhibiao. or tests.)."""


def count_to(progress, *, n: int) -> dict:
    for i in range(n):
        progress(i + 1, n, f"{i + 1}")
    return {"counted": n}


def explode(progress) -> dict:
    raise RuntimeError("boom")


def outlived(progress) -> dict:
    """Finishes after the watchdog has already given the job up as stopped."""
    from zhibiao.jobs.models import Job, JobStatus

    Job.objects.filter(pk=progress.job.pk).update(status=JobStatus.FAILED, message="stopped")
    return {"late": True}
