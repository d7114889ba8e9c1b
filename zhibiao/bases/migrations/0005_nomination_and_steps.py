"""Issue 12: "application" means a subsidy claim only. A request to become a training base is a
`Nomination` (with its `NominationStep`s), and a base's status history is its `BaseStep`s, all
on the workflow engine's StepRecord; the rows are kept."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bases", "0004_base_revision"),
        ("directory", "0002_load_industries"),
    ]

    operations = [
        migrations.RenameModel("BaseApplication", "Nomination"),
        migrations.RenameModel("ApplicationStep", "NominationStep"),
        migrations.RenameField("nominationstep", "application", "nomination"),
        migrations.RenameModel("StatusChange", "BaseStep"),
        migrations.AlterModelOptions(
            name="nominationstep",
            options={
                "ordering": ["nomination", "at", "pk"],
                "verbose_name": "application step",
                "verbose_name_plural": "application steps",
            },
        ),
        migrations.AlterField(
            model_name="basestep",
            name="action",
            field=models.CharField(max_length=30, verbose_name="action"),
        ),
        migrations.AlterField(
            model_name="basestep",
            name="base",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="steps",
                to="bases.trainingbase",
                verbose_name="training base",
            ),
        ),
        migrations.AlterField(
            model_name="nomination",
            name="base",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="nomination",
                to="bases.trainingbase",
                verbose_name="training base",
            ),
        ),
        migrations.AlterField(
            model_name="nomination",
            name="batch",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="nominations",
                to="bases.batch",
                verbose_name="batch",
            ),
        ),
        migrations.AlterField(
            model_name="nomination",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="nominations",
                to="directory.organisation",
                verbose_name="enterprise",
            ),
        ),
        migrations.AlterField(
            model_name="nominationstep",
            name="action",
            field=models.CharField(max_length=30, verbose_name="action"),
        ),
        migrations.AlterField(
            model_name="nominationstep",
            name="from_status",
            field=models.CharField(
                choices=[
                    ("submitted", "Submitted"),
                    ("in_review", "Under review"),
                    ("approved", "Approved, awaiting the plaque"),
                    ("designated", "Designated"),
                    ("rejected", "Rejected"),
                    ("withdrawn", "Withdrawn"),
                ],
                max_length=20,
                verbose_name="from",
            ),
        ),
        migrations.AlterField(
            model_name="nominationstep",
            name="to_status",
            field=models.CharField(
                choices=[
                    ("submitted", "Submitted"),
                    ("in_review", "Under review"),
                    ("approved", "Approved, awaiting the plaque"),
                    ("designated", "Designated"),
                    ("rejected", "Rejected"),
                    ("withdrawn", "Withdrawn"),
                ],
                max_length=20,
                verbose_name="to",
            ),
        ),
    ]
