"""Create an API token for a user from the command line and print its key once.

For operators and scripts (the API fuzzing step of CI signs in this way); people create
their tokens on their account page.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhibiao.accounts.models import User
from zhibiao.accounts.services import create_token


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print its key (shown only this once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")
        parser.add_argument("--days", type=int, default=90, help="valid for this many days")

    def handle(self, *args, username: str, name: str, days: int, **options) -> None:
        try:
            user = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {username!r}.") from None
        # Bounded before the date is computed: a year past 9999 is an OverflowError, and the
        # service refuses more than API_TOKEN_MAX_DAYS with a form's error, not the operator's.
        if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {settings.API_TOKEN_MAX_DAYS}.")
        expires = timezone.now() + datetime.timedelta(days=days)
        # The system's act, not the owner's: the trail must not say the owner made it.
        _token, key = create_token(None, owner=user, name=name, expires_at=expires)
        self.stdout.write(key)
