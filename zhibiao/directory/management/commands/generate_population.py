"""manage.py generate_population --enterprises N [--seed S]: enterprises for load tests."""

import time

from django.core.management.base import BaseCommand, CommandError

from zhibiao.directory.services import generate_population


class Command(BaseCommand):
    help = "Add N synthetic enterprises (valid credit codes, the district's towns and industries)."

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, required=True, metavar="N")
        parser.add_argument("--seed", type=int, default=0, metavar="S")

    def handle(self, *args, enterprises: int, seed: int, **options):
        if enterprises < 1:
            raise CommandError("--enterprises must be a positive number.")
        started = time.perf_counter()
        created = generate_population(None, enterprises, seed=seed)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Added {created} synthetic enterprises in {elapsed:.1f} s.")
