"""manage.py load_demo: the story's records and one demo account per role (demo mode only)."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from zhibiao.demo import story
from zhibiao.demo.services import load_demo


class Command(BaseCommand):
    help = "Load the demo data of the story (idempotent). Needs ZHIBIAO_DEMO=1."

    def handle(self, *args, **options):
        try:
            report = load_demo()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if report.changed:
            for label, count in sorted(report.created.items()):
                self.stdout.write(f"  + {count} {label}")
            for label, count in sorted(report.updated.items()):
                self.stdout.write(f"  ~ {count} {label}")
        else:
            self.stdout.write("Demo data already loaded; nothing changed.")
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {story.DEMO_PASSWORD}; demo only):")
        for username, role, display in report.accounts:
            self.stdout.write(f"  {username:<12} {role}  ({display})")
