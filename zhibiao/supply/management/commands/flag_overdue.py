"""manage.py flag_overdue: notify once for every overdue answer or delivery (run hourly)."""

from django.core.management.base import BaseCommand

from zhibiao.supply.services import flag_overdue


class Command(BaseCommand):
    help = "Notify staff and candidates of service demands whose answer or delivery is overdue."

    def handle(self, *args, **options):
        self.stdout.write(f"{flag_overdue()} overdue demands notified.")
