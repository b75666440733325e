"""One care-team inbox: every item a young person sends carries a read-by date, who read it and
the practitioner's reply. The four tables stay; a notice's done_at/done_by become read_at/read_by
(data kept), and the read-by date of the rows already there is filled from when they were made."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

import core.text_language

FILLED = ("careteamnotice", "reviewnote", "spacerequest")


def fill_read_by_dates(apps, schema_editor):
    from core.workdays import add_working_days

    days = settings.NYTH_SPACE_READ_WITHIN_WORKING_DAYS
    for name in FILLED:
        model = apps.get_model("myspace", name)
        for pk, made in model.objects.filter(read_by_date__isnull=True).values_list("pk", "created_at").iterator():
            made_on = timezone.localdate(made) if timezone.is_aware(made) else made.date()
            model.objects.filter(pk=pk).update(read_by_date=add_working_days(made_on, days))


class Migration(migrations.Migration):
    dependencies = [
        ("myspace", "0008_audit_events_referenced_not_held"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="careteamnotice", old_name="done_at", new_name="read_at"),
        migrations.RenameField(model_name="careteamnotice", old_name="done_by", new_name="read_by"),
        *[
            migrations.AddField(
                model_name=name, name="read_by_date", field=models.DateField(null=True, verbose_name="read by")
            )
            for name in FILLED
        ],
        *[
            op
            for name in ("careteamnotice", "checkin", "reviewnote", "spacerequest")
            for op in (
                migrations.AddField(
                    model_name=name,
                    name="reply",
                    field=models.TextField(blank=True, max_length=1000, verbose_name="your reply"),
                ),
                migrations.AddField(
                    model_name=name, name="reply_language", field=core.text_language.TextLanguageField()
                ),
            )
        ],
        migrations.RunPython(fill_read_by_dates, migrations.RunPython.noop),
        *[
            migrations.AlterField(model_name=name, name="read_by_date", field=models.DateField(verbose_name="read by"))
            for name in (*FILLED, "checkin")
        ],
    ]
