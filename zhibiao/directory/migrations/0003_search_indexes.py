"""Indexes for the register's search on PostgreSQL (issue 14: a million enterprises).

The search asks `UPPER(name) LIKE UPPER('%…%') OR uscc LIKE '…%'`, counted for the pagination
and ordered by name for the page. EXPLAIN ANALYZE on 1,000,000 enterprises (bench/city.py):
the count was a parallel sequential scan of the whole table (400 ms for a full name, 565 ms with
the code's OR), and the page walked the b-tree on name filtering 592,006 rows (3.3 s). Neither
the b-tree on name nor, under the C.UTF-8 collation, the unique index on uscc serves a pattern.
After: a trigram GIN index on UPPER(name) (pg_trgm, a trusted extension since PostgreSQL 13;
Chinese characters make trigrams too) and a varchar_pattern_ops b-tree on uscc, ORed by the
planner as a BitmapOr: the full name's count in 10 ms and its page in 1 ms, a 14-character code
prefix in 0.2 ms. A query of one or two characters has no trigram and is not helped.

Nothing for SQLite: its register is a district's, and it has neither extension nor operator class.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS directory_org_name_trgm ON directory_organisation "
    "USING gin (UPPER(name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS directory_org_uscc_prefix ON directory_organisation "
    "(uscc varchar_pattern_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS directory_org_uscc_prefix",
    "DROP INDEX IF EXISTS directory_org_name_trgm",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_load_industries")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
