"""manage.py export_rules CODE [-o FILE]: a rule book as YAML, for version control."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhibiao.measures.models import RuleBook
from zhibiao.measures.services import export_rulebook


class Command(BaseCommand):
    help = "Write a rule book (its head and every published clause version) as one YAML file."

    def add_arguments(self, parser):
        parser.add_argument("code", help="the rule book's code, e.g. FX-2023-MEASURES")
        parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")

    def handle(self, *args, code: str, output: Path | None, **options):
        rulebook = RuleBook.objects.select_related("document").filter(code=code).first()
        if rulebook is None:
            known = ", ".join(RuleBook.objects.values_list("code", flat=True)) or "none"
            raise CommandError(f"No rule book {code!r} (known: {known}).")
        text = export_rulebook(rulebook)
        if output:
            output.write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text)
