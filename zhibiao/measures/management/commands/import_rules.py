"""manage.py import_rules FILE --document ID: publish new clause versions from a YAML file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhibiao.measures.services import RuleTextInvalid, import_rulebook
from zhibiao.policies.models import PolicyDocument


class Command(BaseCommand):
    help = "Import a rule file for a policy document: all of it or nothing, errors positioned."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--document", type=int, required=True, help="policy document id")

    def handle(self, *args, file: Path, document: int, **options):
        policy = PolicyDocument.objects.filter(pk=document).first()
        if policy is None:
            raise CommandError(f"No policy document {document}.")
        try:
            report = import_rulebook(None, policy, file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(str(error)) from None
        except RuleTextInvalid as invalid:
            for problem in invalid.errors:
                where = f"{file}:{problem.line or '-'}:{problem.column or '-'}"
                self.stderr.write(f"{where}: {problem.path} {problem.message}")
            raise CommandError("Nothing was imported.") from None
        self.stdout.write(f"{len(report.created)} published, {len(report.unchanged)} unchanged.")
