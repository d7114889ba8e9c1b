"""A screening split into chunks of enterprise ids (issue 14) finds exactly what one run finds;
a chunk run again replaces what it wrote instead of adding to it; a chunk that keeps failing
fails its job, with a message naming it. The chunks run inline here, through the code the
Celery workers run (tests/jobs/test_celery.py runs them on a real worker)."""

from __future__ import annotations

import math

import pytest

from tests.factories import random_records
from zhibiao.directory.models import Organisation
from zhibiao.jobs.models import Job, JobPart, JobStatus
from zhibiao.measures import services
from zhibiao.measures.models import ClauseVersion, Entitlement, Screening
from zhibiao.measures.services import screening as screening_module

pytestmark = pytest.mark.django_db

CHUNK = 7


def screened(admin, capture) -> tuple[Job, Screening]:
    with capture(execute=True):
        job = services.start_screening(admin)
    job.refresh_from_db()
    return job, Screening.objects.get(job=job)


def found(screening: Screening) -> set[tuple]:
    return set(
        Entitlement.objects.filter(screening=screening).values_list(
            "organisation_id", "version_id", "amount"
        )
    )


def summary(job: Job, screening: Screening) -> tuple:
    """What a screening reports, without what names the run (its id and link)."""
    return (
        job.status,
        job.result["entitled"],
        job.result["rows"],
        screening.enterprises,
        screening.entitled,
        screening.total,
        screening.finished_at is not None,
    )


@pytest.fixture
def population(demo):
    random_records(60, seed=5)
    return Organisation.objects.filter(kind="enterprise").count()


def test_chunks_find_what_one_run_finds(
    population, users, settings, django_capture_on_commit_callbacks
):
    settings.SCREENING_CHUNK_SIZE = 0
    single_job, single = screened(users["admin"], django_capture_on_commit_callbacks)
    settings.SCREENING_CHUNK_SIZE = CHUNK
    job, chunked = screened(users["admin"], django_capture_on_commit_callbacks)

    assert single_job.status == JobStatus.DONE, single_job.message
    assert not single_job.parts.exists()
    chunks = math.ceil(population / CHUNK)
    assert job.parts.count() == chunks > 1
    assert set(job.parts.values_list("status", flat=True)) == {JobStatus.DONE}
    assert (job.done, job.total) == (chunks, chunks)
    assert found(single)  # the comparison covers real entitlements
    assert found(chunked) == found(single)
    assert summary(job, chunked) == summary(single_job, single)
    assert job.result["link"] == f"/measures/screenings/{chunked.pk}/"


def test_chunks_cover_each_enterprise_once(population):
    bounds = screening_module.chunk_bounds(CHUNK)
    assert bounds[0][0] is None and bounds[-1][1] is None
    ids = list(Organisation.objects.filter(kind="enterprise").values_list("pk", flat=True))
    for pk in ids:
        inside = [
            (low, high)
            for low, high in bounds
            if (low is None or pk >= low) and (high is None or pk < high)
        ]
        assert len(inside) == 1
    assert screening_module.chunk_bounds(0) == [(None, None)]
    assert screening_module.chunk_bounds(len(ids)) == [(None, None)]


def test_a_version_withdrawn_while_the_chunks_run_reaches_none_of_them(
    population, users, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """The screening pins its rule books' versions when it splits: a change after that (here a
    version withdrawn before the second chunk runs) does not make the chunks disagree."""
    settings.SCREENING_CHUNK_SIZE = 0
    _single_job, single = screened(users["admin"], django_capture_on_commit_callbacks)
    withdrawn = Entitlement.objects.filter(screening=single).values_list("version", flat=True)[0]
    real = screening_module.screen_chunk

    def withdrawn_before_the_second(part, **params):
        if part.number == 2:
            ClauseVersion.objects.filter(pk=withdrawn).update(published_at=None)
        return real(part, **params)

    monkeypatch.setattr(screening_module, "screen_chunk", withdrawn_before_the_second)
    settings.SCREENING_CHUNK_SIZE = CHUNK
    job, chunked = screened(users["admin"], django_capture_on_commit_callbacks)

    assert job.status == JobStatus.DONE, job.message
    assert found(chunked) == found(single)
    assert {row[1] for row in found(chunked)} >= {withdrawn}


def test_a_retried_chunk_replaces_what_its_failed_attempt_wrote(
    population, users, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.SCREENING_CHUNK_SIZE = 0
    _single_job, single = screened(users["admin"], django_capture_on_commit_callbacks)

    real = screening_module.screen_chunk
    attempts: list[int] = []

    def dies_after_writing(part, **params):
        """Every chunk's first attempt writes its entitlements, then its worker 'dies'."""
        real(part, **params)
        attempts.append(part.number)
        if part.attempts == 1:
            raise ConnectionError("worker lost")
        return real(part, **params)

    monkeypatch.setattr(screening_module, "screen_chunk", dies_after_writing)
    settings.SCREENING_CHUNK_SIZE = CHUNK
    job, chunked = screened(users["admin"], django_capture_on_commit_callbacks)

    assert job.status == JobStatus.DONE, job.message
    assert set(job.parts.values_list("attempts", flat=True)) == {2}
    assert len(attempts) == 2 * job.parts.count()
    assert Entitlement.objects.filter(screening=chunked).count() == len(found(single))
    assert found(chunked) == found(single)
    assert chunked.entitled == single.entitled and chunked.total == single.total


def test_a_chunk_run_again_after_the_job_settled_changes_nothing(
    population, users, settings, django_capture_on_commit_callbacks
):
    """A late second delivery of a chunk: the chunk is done, so it is skipped; and were it run,
    its rows would replace its own (the write is idempotent)."""
    settings.SCREENING_CHUNK_SIZE = CHUNK
    job, chunked = screened(users["admin"], django_capture_on_commit_callbacks)
    before = found(chunked)
    from zhibiao.jobs import services as jobs

    assert jobs.run_part(job.pk, 2) == jobs.PART_SKIPPED
    part = job.parts.get(number=2)
    counts = screening_module.screen_chunk(part, **part.params)
    assert counts == part.result
    assert found(chunked) == before


def test_a_failing_chunk_fails_the_job(
    population, users, settings, monkeypatch, django_capture_on_commit_callbacks
):
    real = screening_module.screen_chunk

    def second_chunk_breaks(part, **params):
        if part.number == 2:
            raise RuntimeError("disk full")
        return real(part, **params)

    monkeypatch.setattr(screening_module, "screen_chunk", second_chunk_breaks)
    settings.SCREENING_CHUNK_SIZE = CHUNK
    settings.LANGUAGE_CODE = "en"
    job, chunked = screened(users["admin"], django_capture_on_commit_callbacks)

    chunks = job.parts.count()
    assert job.status == JobStatus.FAILED
    assert job.finished_at is not None
    assert job.message == (
        f"Part 2 of {chunks} failed, so the job failed: The job stopped on an unexpected error "
        "(RuntimeError: disk full); the log has the details."
    )
    broken = job.parts.get(number=2)
    assert (broken.status, broken.attempts) == (JobStatus.FAILED, settings.JOBS_MAX_ATTEMPTS)
    assert job.parts.get(number=1).status == JobStatus.DONE
    # The chunks after it are not run for a job already failed.
    assert set(job.parts.filter(number__gt=2).values_list("status", flat=True)) == {"queued"}
    assert chunked.finished_at is None  # not offered as a finished screening
    assert services.latest_screening() is None


def test_the_sweep_sends_again_a_dead_chunk_not_the_whole_job(
    population, users, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """A chunk whose worker died is handed out again by the sweep; the job itself is not run
    again from the start (that would split it a second time)."""
    import datetime

    from django.utils import timezone

    from zhibiao.jobs import services as jobs

    settings.SCREENING_CHUNK_SIZE = CHUNK
    job, _chunked = screened(users["admin"], django_capture_on_commit_callbacks)
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, heartbeat_at=long_ago)
    JobPart.objects.filter(job=job, number=3).update(
        status=JobStatus.RUNNING, heartbeat_at=long_ago, attempts=1
    )
    sent_jobs: list[int] = []
    sent_parts: list[tuple[int, int]] = []
    monkeypatch.setattr(jobs, "dispatch", sent_jobs.append)
    monkeypatch.setattr(jobs, "dispatch_part", lambda j, n: sent_parts.append((j, n)))
    assert jobs.sweep() == {"failed": 0, "sent": 1}
    assert (sent_jobs, sent_parts) == ([], [(job.pk, 3)])
    assert jobs.run(job.pk) is None  # a second delivery of the job does not split it again
    assert jobs.run_part(job.pk, 3) == jobs.PART_DONE
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.parts.count() == math.ceil(
        Organisation.objects.filter(kind="enterprise").count() / CHUNK
    )
    assert settings.JOBS_MAX_ATTEMPTS >= 2
