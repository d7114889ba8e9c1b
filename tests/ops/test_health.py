"""/healthz: the checks as JSON, 200 while the server can serve, 503 when a check fails, open
to anyone, with nothing secret in it."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from tests.clients import client_for
from zhibiao.jobs.models import Job, JobStatus
from zhibiao.ops import beats, health
from zhibiao.ops.models import WorkerBeat

pytestmark = pytest.mark.django_db


def test_healthy():
    response = client_for(None).get("/healthz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok"
    assert set(report["checks"]) == {"database", "cache", "workers"}
    assert all(check["status"] == "ok" for check in report["checks"].values())
    assert report["checks"]["database"]["ms"] >= 0
    assert report["checks"]["workers"]["queued_too_long"] == 0
    assert report["checks"]["workers"]["running_heartbeat_age_s"] is None
    # No sign-in, no session, no CSP header on a JSON answer, and not cached by a proxy.
    assert "sessionid" not in response.cookies
    assert "Content-Security-Policy" not in response
    assert "no-cache" in response["Cache-Control"]


def test_jobs_waiting_too_long_degrade_but_still_serve(settings):
    settings.HEALTHZ_QUEUE_WAIT_MINUTES = 10
    now = timezone.now()
    waiting = Job.objects.create(task="x", title="等待的任务")
    Job.objects.create(task="x", title="刚排队的任务")
    Job.objects.filter(pk=waiting.pk).update(created_at=now - datetime.timedelta(minutes=11))
    Job.objects.create(
        task="x",
        title="运行中",
        status=JobStatus.RUNNING,
        heartbeat_at=now - datetime.timedelta(seconds=90),
    )
    response = client_for(None).get("/healthz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "degraded"
    workers = report["checks"]["workers"]
    assert workers["status"] == "degraded" and workers["queued_too_long"] == 1
    assert 90 <= workers["running_heartbeat_age_s"] < 3600


class BrokenCache:
    def set(self, *args, **kwargs):
        raise ConnectionError("redis://:hunter2@10.0.0.5:6379 refused the connection")


def test_a_failing_check_answers_503_without_its_secrets(monkeypatch):
    monkeypatch.setattr(health, "cache", BrokenCache())
    response = client_for(None).get("/healthz")
    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "failing"
    assert report["checks"]["cache"] == {"status": "failing", "error": "ConnectionError"}
    assert report["checks"]["database"]["status"] == "ok"
    assert b"hunter2" not in response.content and b"10.0.0.5" not in response.content


def test_a_cache_that_loses_what_it_was_given_fails(monkeypatch):
    class Forgetful(BrokenCache):
        def set(self, *args, **kwargs):
            pass

        def get(self, key):
            return None

        def delete(self, key):
            pass

    monkeypatch.setattr(health, "cache", Forgetful())
    assert client_for(None).get("/healthz").status_code == 503


def test_a_check_is_one_more_function():
    celery = {"status": "degraded", "workers": 0}
    report = health.run_checks({"celery": lambda: celery, "database": health.database})
    assert report["status"] == "degraded"
    assert report["checks"]["celery"] == celery and report["checks"]["database"]["status"] == "ok"


def test_answers_over_plain_http_where_https_is_enforced(settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client_for(None).get("/").status_code == 301
    assert client_for(None).get("/healthz").status_code == 200


def test_only_reads():
    assert client_for(None).post("/healthz").status_code in (403, 405)


# The workers' heartbeats (zhibiao.ops.beats) ----------------------------------------------


def _beat(hostname: str, seconds_ago: float) -> WorkerBeat:
    seen = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    return WorkerBeat.objects.create(hostname=hostname, pid=1, started_at=seen, seen_at=seen)


def test_workers_alive_are_counted_by_their_heartbeats_not_named(settings):
    settings.JOBS_MODE = "celery"
    settings.WORKER_BEAT_SECONDS = 15
    _beat("celery@app-1.intranet", 5)
    _beat("celery@app-2.intranet", 30)
    _beat("celery@app-3.intranet", 120)  # three beats (45 s) missed: gone
    response = client_for(None).get("/healthz")
    workers = response.json()["checks"]["workers"]
    assert workers["status"] == "ok"
    assert (workers["workers_alive"], workers["workers_gone"]) == (2, 1)
    assert b"intranet" not in response.content


def test_no_live_worker_degrades_when_jobs_go_to_celery(settings):
    settings.JOBS_MODE = "celery"
    _beat("celery@gone", 3600)
    response = client_for(None).get("/healthz")
    assert response.status_code == 200  # the pages still serve
    workers = response.json()["checks"]["workers"]
    assert workers["status"] == "degraded" and workers["workers_alive"] == 0
    settings.JOBS_MODE = "inline"  # jobs run in the web process: no worker is needed
    assert client_for(None).get("/healthz").json()["checks"]["workers"]["status"] == "ok"


def test_a_worker_beats_on_start_and_again_and_forgets_itself_on_a_clean_stop(settings):
    settings.WORKER_BEAT_SECONDS = 15
    beats.record("celery@w1", started=True)
    first = WorkerBeat.objects.get()
    beats.record("celery@w1")
    again = WorkerBeat.objects.get()
    assert again.started_at == first.started_at and again.seen_at >= first.seen_at
    beats.record("celery@w1", started=True)  # restarted under the same name
    assert WorkerBeat.objects.get().started_at > first.started_at
    beats.forget("celery@w1")
    assert not WorkerBeat.objects.exists()


def test_a_load_balancer_asking_by_the_servers_address_is_answered(settings):
    """A load balancer checks each server directly, by its address, which is no host of
    ALLOWED_HOSTS: Django answered that 400, and every healthy server would be taken out."""
    settings.ALLOWED_HOSTS = ["zhibiao.example.gov.cn"]
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    for path in ("/healthz", "/healthz/ping"):
        assert client.get(path, HTTP_HOST="10.0.0.5:8000").status_code == 200
    assert client.post("/healthz", HTTP_HOST="10.0.0.5:8000").status_code == 405
    # Every other page still refuses a host it does not serve.
    assert client.get("/", HTTP_HOST="10.0.0.5:8000").status_code == 400
