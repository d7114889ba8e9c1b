"""`manage.py backup [--output PATH]`: the database and every stored file in one archive."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhibiao.ops.backup import BackupError, create_backup, human_size


class Command(BaseCommand):
    help = "Back up the database and the uploaded and private files into one tar.gz archive."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="the archive, or a folder for it; default var/backups/zhibiao-DATE.tar.gz",
        )

    def handle(self, *args, output: Path | None = None, **options) -> None:
        try:
            result = create_backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Backed up the {result.vendor} database ({human_size(result.database_bytes)}) "
            f"and {result.files} files ({human_size(result.file_bytes)}) to {result.path}"
        )
