"""manage.py check_standards FILE… [--json]: the validity check from the shell."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from zhibiao.standards.services import check_files


class Command(BaseCommand):
    help = (
        "Find the standards cited in documents (docx, xlsx, pdf, txt) and say whether each is "
        "in force; --json prints a list of {file, found, code, status, replaced_by, current, "
        "location}."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, files: list[Path], json: bool = False, **options):
        missing = [str(path) for path in files if not path.is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        with translation.override("en"):
            rows = check_files(files)
        if json:
            self.stdout.write(_dumps(rows))
            return
        for row in rows:
            if row["status"] == "error":
                self.stdout.write(f"{row['file']}: {row['location']}")
                continue
            arrow = (
                f" → {row['current']}" if row["current"] and row["current"] != row["code"] else ""
            )
            self.stdout.write(
                f"{row['file']}: {row['code']:<24} {row['status']:<10}{arrow}  ({row['location']})"
            )


def _dumps(rows) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=1)
