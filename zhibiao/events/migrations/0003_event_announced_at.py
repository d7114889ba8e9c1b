"""When each event was announced, for the notice a course must give to count towards a base's
subsidy. Existing public events get the best evidence on file: the audit entry of their
publication; failing that, the opening of registration or the first registration, whichever
came first (registration cannot open before people know of the event); failing both, the start
itself (no notice on record). Internal events stay unannounced (None)."""

from django.db import migrations, models
from django.db.models import Min


def announce_existing(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    Registration = apps.get_model("events", "Registration")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    kind = ContentType.objects.filter(app_label="events", model="event").first()
    published: dict[str, object] = {}
    if kind is not None:
        entries = AuditEntry.objects.filter(target_type=kind, action="event.create")
        for target_id, at in entries.order_by("at").values_list("target_id", "at"):
            published.setdefault(target_id, at)
    first_registration = dict(
        Registration.objects.values("event")
        .annotate(at=Min("created_at"))
        .values_list("event", "at")
    )
    for event in Event.objects.filter(is_public=True, announced_at__isnull=True):
        at = published.get(str(event.pk))
        if at is None:
            evidence = [
                t for t in (event.registration_opens_at, first_registration.get(event.pk)) if t
            ]
            at = min(evidence) if evidence else event.starts_at
        Event.objects.filter(pk=event.pk).update(announced_at=at)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0002_training"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="announced_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="announced at"
            ),
        ),
        migrations.RunPython(announce_existing, migrations.RunPython.noop),
    ]
