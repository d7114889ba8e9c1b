"""Issue 12: a demand's steps are on the workflow engine's StepRecord (the same lengths as every
machine's history); the rows are kept."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("supply", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="demandstep",
            name="action",
            field=models.CharField(max_length=30, verbose_name="action"),
        ),
        migrations.AlterField(
            model_name="demandstep",
            name="from_status",
            field=models.CharField(
                choices=[
                    ("posted", "Posted"),
                    ("matched", "Matched"),
                    ("accepted", "Accepted"),
                    ("in_service", "In service"),
                    ("delivered", "Delivered"),
                    ("rated", "Rated"),
                    ("cancelled", "Cancelled"),
                ],
                max_length=20,
                verbose_name="from",
            ),
        ),
        migrations.AlterField(
            model_name="demandstep",
            name="to_status",
            field=models.CharField(
                choices=[
                    ("posted", "Posted"),
                    ("matched", "Matched"),
                    ("accepted", "Accepted"),
                    ("in_service", "In service"),
                    ("delivered", "Delivered"),
                    ("rated", "Rated"),
                    ("cancelled", "Cancelled"),
                ],
                max_length=20,
                verbose_name="to",
            ),
        ),
    ]
