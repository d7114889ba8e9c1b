"""`manage.py restore PATH [--force]`: put a backup's database and files back."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhibiao.ops.backup import BackupError, human_size, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup`: every checksum is verified first; a "
        "database that holds data is replaced only with --force. Stop the app servers and "
        "workers first."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="replace a database that holds data"
        )

    def handle(self, *args, archive: Path, force: bool = False, **options) -> None:
        try:
            result = restore_backup(archive, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if options["verbosity"] > 1:
            for label, count in sorted(result.records.items()):
                self.stdout.write(f"  {label}: {count}")
        self.stdout.write(
            f"Restored the backup of {result.created_at}: {sum(result.records.values())} "
            f"records in {sum(1 for n in result.records.values() if n)} tables, "
            f"{result.files} files ({human_size(result.file_bytes)})."
        )
        if result.pending_migrations:
            self.stdout.write(
                f"The backup predates {len(result.pending_migrations)} migrations of this code: "
                "run `manage.py migrate` now."
            )
