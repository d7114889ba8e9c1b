"""manage.py import_standards FILE: the catalogue import of the web page, from the shell."""

from zhibiao.core.commands import ImportCommand, counted
from zhibiao.standards.services import import_standards


class Command(ImportCommand):
    help = "Create or update catalogue entries from a CSV, xlsx or JSON file: all rows or none."

    def run_import(self, handle, name):
        return import_standards(None, handle, name=name)

    def summary(self, result):
        stated = f"{result.links} replacements stated, {result.inferred} inferred"
        return f"{counted(result)}; {stated}."
