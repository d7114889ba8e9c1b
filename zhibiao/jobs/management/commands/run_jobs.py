"""manage.py run_jobs: run queued jobs and fail dead ones (from cron, or after a restart)."""

from django.core.management.base import BaseCommand

from zhibiao.jobs.services import run_pending


class Command(BaseCommand):
    help = "Run background jobs left queued and mark jobs that stopped reporting as failed."

    def handle(self, *args, **options):
        counts = run_pending()
        self.stdout.write(f"{counts['ran']} run, {counts['stale']} marked failed.")
