"""News reports moved to their own app (zhibiao.news, issue 12). The table keeps its name
(NewsItem.Meta.db_table), so only Django's state changes here: the rows stay where they are.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_registration_revision_steps"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="NewsItem")],
            database_operations=[],
        ),
    ]
