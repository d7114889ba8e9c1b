from django.db import migrations


def load(apps, schema_editor):
    from zhibiao.directory.reference import sync_industries

    sync_industries(apps.get_model("directory", "Industry"))


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
