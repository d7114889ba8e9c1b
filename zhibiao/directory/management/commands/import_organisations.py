"""manage.py import_organisations FILE: the same import as the web page, from the shell."""

from zhibiao.core.commands import ImportCommand
from zhibiao.core.tabular import read_table
from zhibiao.directory.services import import_organisations


class Command(ImportCommand):
    help = "Create or update organisations from a CSV or xlsx file, all rows or none."

    def run_import(self, handle, name):
        table = read_table(handle)
        return import_organisations(None, table.headers, table.rows)
