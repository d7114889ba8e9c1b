"""manage.py import_standards FILE: the catalogue import of the web page, from the shell."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhibiao.core.uploads import UploadError
from zhibiao.standards.catalogue import ImportFailed
from zhibiao.standards.services import import_standards


class Command(BaseCommand):
    help = "Create or update catalogue entries from a CSV, xlsx or JSON file: all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            with file.open("rb") as handle:
                result = import_standards(None, handle, name=file.name)
        except UploadError as error:
            raise CommandError(str(error)) from None
        except ImportFailed as failure:
            for error in failure.result.errors:
                self.stderr.write(f"row {error.row}, {error.column}: {error.message}")
            raise CommandError("Nothing was imported.") from None
        self.stdout.write(
            f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged; "
            f"{result.links} replacements stated, {result.inferred} inferred."
        )
