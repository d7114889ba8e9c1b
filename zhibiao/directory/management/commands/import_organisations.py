"""manage.py import_organisations FILE: the same import as the web page, from the shell."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhibiao.core.tabular import read_table
from zhibiao.core.uploads import UploadError
from zhibiao.directory.services import ImportFailed, import_organisations


class Command(BaseCommand):
    help = "Create or update organisations from a CSV or xlsx file, all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            with file.open("rb") as handle:
                table = read_table(handle)
            result = import_organisations(None, table.headers, table.rows)
        except UploadError as error:
            raise CommandError(str(error)) from None
        except ImportFailed as failure:
            for error in failure.result.errors:
                self.stderr.write(f"row {error.row}, {error.column}: {error.message}")
            raise CommandError("Nothing was imported.") from None
        self.stdout.write(
            f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged."
        )
