"""NewsItem, moved here from the events app (issue 12). Its tables exist already
(`events_newsitem` and its link tables, see NewsItem.Meta.db_table), so the model enters
Django's state only; its content type is moved too, so that the audit trail and the
permissions of existing reports keep pointing at them.
"""

from django.db import migrations, models


def move_content_type(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="events", model="newsitem").update(app_label="news")


def move_content_type_back(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="news", model="newsitem").update(app_label="events")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("bases", "0004_base_revision"),
        ("events", "0005_newsitem_moves_to_news"),
        ("policies", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="NewsItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("title", models.CharField(max_length=200, verbose_name="title")),
                        ("published_on", models.DateField(verbose_name="published on")),
                        (
                            "source",
                            models.CharField(blank=True, max_length=100, verbose_name="source"),
                        ),
                        ("summary", models.TextField(blank=True, verbose_name="summary")),
                        ("body", models.TextField(verbose_name="text")),
                        (
                            "is_published",
                            models.BooleanField(default=True, verbose_name="published"),
                        ),
                        (
                            "bases",
                            models.ManyToManyField(
                                blank=True,
                                related_name="news",
                                to="bases.trainingbase",
                                verbose_name="training bases",
                            ),
                        ),
                        (
                            "batches",
                            models.ManyToManyField(
                                blank=True,
                                related_name="news",
                                to="bases.batch",
                                verbose_name="training-base batches",
                            ),
                        ),
                        (
                            "events",
                            models.ManyToManyField(
                                blank=True,
                                related_name="news",
                                to="events.event",
                                verbose_name="events",
                            ),
                        ),
                        (
                            "policies",
                            models.ManyToManyField(
                                blank=True,
                                related_name="news",
                                to="policies.policydocument",
                                verbose_name="policies",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "news item",
                        "verbose_name_plural": "news",
                        "db_table": "events_newsitem",
                        "ordering": ["-published_on", "-pk"],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
