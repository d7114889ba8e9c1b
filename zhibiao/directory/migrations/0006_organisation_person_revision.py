"""A revision on organisations and people, counted up by every change: their own users and the
district staff edit the same rows, and a save from a page that showed an older revision is
refused instead of writing that page's values back. Existing rows start at 0."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0005_town_industry"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="revision",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="revision"),
        ),
        migrations.AddField(
            model_name="person",
            name="revision",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="revision"),
        ),
    ]
