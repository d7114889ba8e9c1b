"""The base of the management commands that run a page's import from the shell.

Why: each import command opened the file, ran the import all or nothing and reported a failed
file's rows the same way; written once here, a command says only what it imports and how it
counts, and the shell words an import's errors as the pages do.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError

from zhibiao.core.tabular import ImportFailed
from zhibiao.core.uploads import UploadError


def counted(result: Any) -> str:
    """What an import created, updated and left unchanged, as the commands print it."""
    return f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged"


class ImportCommand(BaseCommand):
    """`manage.py <command> FILE`: imports FILE with no acting user, all rows or none."""

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def run_import(self, handle: IO[bytes], name: str) -> Any:
        """Import the open file (named `name`) and return the importer's result."""
        raise NotImplementedError

    def summary(self, result: Any) -> str:
        """The line printed after a successful import."""
        return f"{counted(result)}."

    def handle(self, *args, file: Path, **options) -> None:
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            with file.open("rb") as handle:
                result = self.run_import(handle, file.name)
        except UploadError as error:
            raise CommandError(str(error)) from None
        except ImportFailed as failure:
            for wrong in failure.result.errors:
                self.stderr.write(f"row {wrong.row}, {wrong.column}: {wrong.message}")
            raise CommandError("Nothing was imported.") from None
        self.stdout.write(self.summary(result))
