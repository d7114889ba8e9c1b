"""Standards drafted get their code in canonical form (StandardDrafting.clean now does so for
every new record): one standard, one spelling, so that the once-per-standard constraint and the
facts' matching by code see a standard written two ways as one. A row whose canonical code an
other row of the same enterprise already holds is left as it is, for staff to merge.

The code is also the project of the enterprise's applications under the standards' clauses
(the rules pay per standard, `project: code`): those applications follow it, or the award
already received for the standard would no longer be recognised and would be paid again."""

from django.db import migrations


def canonical(apps, schema_editor):
    from zhibiao import stdcodes

    drafting = apps.get_model("profiles", "StandardDrafting")
    application = apps.get_model("applications", "Application")
    for row in drafting.objects.only("pk", "organisation_id", "code").iterator():
        try:
            code = stdcodes.parse(row.code).canonical
        except ValueError:
            continue
        if code == row.code:
            continue
        taken = drafting.objects.filter(organisation_id=row.organisation_id, code=code)
        if not taken.exists():
            drafting.objects.filter(pk=row.pk).update(code=code)
            application.objects.filter(enterprise_id=row.organisation_id, project=row.code).update(
                project=code
            )


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0002_provenance"),
        ("applications", "0001_initial"),
    ]

    operations = [migrations.RunPython(canonical, migrations.RunPython.noop)]
