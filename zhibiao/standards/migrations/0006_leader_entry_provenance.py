"""Leader entries keep their provenance: the values are the enterprise's word until staff verify
them. Entries already on file were never checked, so they wait in the verification queue
(pending), recorded when they were entered, by nobody known; a leader among them counts again
once verified (and the evaluation ranked again if its ranking should follow)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def recorded_when_entered(apps, schema_editor):
    LeaderEntry = apps.get_model("standards", "LeaderEntry")
    LeaderEntry.objects.update(recorded_at=models.F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('standards', '0005_announcements_status_changes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='leaderentry',
            name='check_note',
            field=models.CharField(blank=True, max_length=300, verbose_name='verification note'),
        ),
        migrations.AddField(
            model_name='leaderentry',
            name='checked_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='verified or rejected at'),
        ),
        migrations.AddField(
            model_name='leaderentry',
            name='checked_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='verified or rejected by'),
        ),
        migrations.AddField(
            model_name='leaderentry',
            name='recorded_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='recorded at'),
        ),
        migrations.AddField(
            model_name='leaderentry',
            name='recorded_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by'),
        ),
        migrations.AddField(
            model_name='leaderentry',
            name='verification',
            field=models.CharField(choices=[('pending', 'Awaiting verification'), ('verified', 'Verified'), ('rejected', 'Rejected')], db_index=True, default='pending', max_length=10, verbose_name='verification'),
        ),
        migrations.RunPython(recorded_when_entered, migrations.RunPython.noop),
    ]
