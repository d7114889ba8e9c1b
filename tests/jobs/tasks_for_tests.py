"""Task functions the job tests run (a task is any function under zhibiao. or tests.)."""


def count_to(progress, *, n: int) -> dict:
    for i in range(n):
        progress(i + 1, n, f"{i + 1}")
    return {"counted": n}


def explode(progress) -> dict:
    raise RuntimeError("boom")


def outlived(progress) -> dict:
    """Finishes after the sweep has already given the job up as stopped."""
    from zhibiao.jobs.models import Job, JobStatus

    Job.objects.filter(pk=progress.job.pk).update(status=JobStatus.FAILED, message="stopped")
    return {"late": True}


def count_runs(progress, *, path: str) -> dict:
    """Adds a line to a file each time it runs: how many times a job really ran."""
    with open(path, "a") as handle:
        handle.write("ran\n")
    progress(1, 1, "ran")
    return {"ran": True}


def overstay(progress) -> dict:
    """Ignores the soft time limit and sleeps on, until the hard one kills its process."""
    import contextlib
    import time

    from celery.exceptions import SoftTimeLimitExceeded

    for _ in range(600):
        with contextlib.suppress(SoftTimeLimitExceeded):
            time.sleep(0.1)
    return {}


def wait_for_heartbeat(progress) -> dict:
    """Reports no progress, and waits (10 s at most) for the heartbeat thread to mark it alive."""
    import time

    from zhibiao.jobs.models import Job

    started = Job.objects.get(pk=progress.job.pk).heartbeat_at
    for _ in range(100):
        if Job.objects.get(pk=progress.job.pk).heartbeat_at > started:
            return {"beaten": True}
        time.sleep(0.1)
    return {"beaten": False}
