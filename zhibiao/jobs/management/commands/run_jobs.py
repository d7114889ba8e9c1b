"""manage.py run_jobs: run in this process the jobs left queued or whose worker died, and fail
those out of attempts: where no Celery worker runs, or to catch up after an outage. Celery beat
does the same through the workers every few minutes (zhibiao.jobs.tasks.sweep_jobs)."""

from django.core.management.base import BaseCommand

from zhibiao.jobs.services import run_pending


class Command(BaseCommand):
    help = (
        "Run background jobs left queued or whose worker died; mark those out of attempts "
        "as failed."
    )

    def handle(self, *args, **options):
        counts = run_pending()
        self.stdout.write(f"{counts['ran']} run, {counts['stale']} marked failed.")
