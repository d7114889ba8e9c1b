"""Issue 12: the history of an application is its steps (`ApplicationStep`, on the workflow
engine's StepRecord), as every machine's history is; the rows are kept."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0002_initial"),
    ]

    operations = [
        migrations.RenameModel("Transition", "ApplicationStep"),
        migrations.AlterField(
            model_name="applicationstep",
            name="application",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="steps",
                to="applications.application",
                verbose_name="application",
            ),
        ),
    ]
