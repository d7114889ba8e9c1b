"""An index for the register filtered by town and industry on PostgreSQL (issue 14).

`town = … AND industry LIKE 'C%'` is counted for the pagination: EXPLAIN ANALYZE on 1,000,000
enterprises showed a parallel sequential scan (108 ms, 62,000 rows kept of a million; the page
itself walks the name index in 3 ms). A b-tree on (town, industry varchar_pattern_ops) answers
both conditions from the index (industry's prefix needs the pattern operator class under the
C.UTF-8 collation), and, the table vacuumed, the count from the index alone.

Nothing for SQLite.
"""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS directory_org_town_industry ON directory_organisation "
    "(town, industry varchar_pattern_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS directory_org_town_industry"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("directory", "0004_name_bigrams")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
