"""A check-in from a paper attendance sheet records whether district staff imported it
(`staff_sheet`) or the host did (`sheet`): only the former counts towards a base's course
subsidy, and it used to be judged from the importer's role when counting, so that a person
who later left or joined the district staff changed past counts.

Existing sheet check-ins get their method from the importer's role as it is now (a district
administrator or a superuser: staff): the role at the time of the import was not recorded,
and this is the best that can be known, and what the counts said until now. A sheet whose
importer's account is gone stays the host's, as it did not count before either."""

from django.db import migrations, models
from django.db.models import Q


def from_importers_role_now(apps, schema_editor):
    Registration = apps.get_model("events", "Registration")
    Registration.objects.filter(check_in_method="sheet").filter(
        Q(checked_in_by__role="admin") | Q(checked_in_by__is_superuser=True)
    ).update(check_in_method="staff_sheet")


def back_to_one_sheet(apps, schema_editor):
    Registration = apps.get_model("events", "Registration")
    Registration.objects.filter(check_in_method="staff_sheet").update(check_in_method="sheet")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_department_role"),
        ("events", "0006_person_and_certificate_labels"),
    ]

    operations = [
        migrations.AlterField(
            model_name="registration",
            name="check_in_method",
            field=models.CharField(
                blank=True,
                choices=[
                    ("scan", "QR code scanned"),
                    ("typed", "Code typed"),
                    ("sheet", "Attendance sheet, imported by the host"),
                    ("staff_sheet", "Attendance sheet, imported by district staff"),
                ],
                max_length=20,
                verbose_name="check-in",
            ),
        ),
        migrations.RunPython(from_importers_role_now, back_to_one_sheet),
    ]
