"""ADR 012: the chain moves from the event rows to AuditLink, written by a sequencer.

Existing events keep their version-1 (SHA-256) chain: their links are copied from their own
seq, prev_hash and hash (an INSERT ... SELECT; events are never updated), so they still verify.
New events leave those columns empty. On PostgreSQL, links are insert-only like events."""

import django.db.models.deletion
from django.db import migrations, models

COPY_V1_LINKS = """
INSERT INTO audit_auditlink (seq, event_id, hash_version, key_id, prev_hash, hash, sealed_at)
SELECT seq, id, 1, '', prev_hash, hash, occurred_at FROM audit_auditevent
WHERE seq IS NOT NULL ORDER BY seq
"""
PG_UP = """
CREATE TRIGGER audit_link_no_update BEFORE UPDATE ON audit_auditlink
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
CREATE TRIGGER audit_link_no_delete BEFORE DELETE ON audit_auditlink
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS audit_link_no_update ON audit_auditlink;
DROP TRIGGER IF EXISTS audit_link_no_delete ON audit_auditlink;
"""


def copy_v1_links(apps, schema_editor):
    schema_editor.execute(COPY_V1_LINKS)


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_guard_every_audit_table'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='auditevent',
            options={'ordering': ['id'], 'verbose_name': 'audit event', 'verbose_name_plural': 'audit events'},
        ),
        migrations.AddField(
            model_name='auditevent',
            name='actor_organisation_id',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='prev_hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='seq',
            field=models.PositiveBigIntegerField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.CreateModel(
            name='AuditLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.PositiveBigIntegerField(unique=True)),
                ('hash_version', models.PositiveSmallIntegerField(default=2)),
                ('key_id', models.CharField(blank=True, max_length=40)),
                ('prev_hash', models.CharField(max_length=64)),
                ('hash', models.CharField(max_length=64, unique=True)),
                ('sealed_at', models.DateTimeField()),
                ('event', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='link', to='audit.auditevent')),
            ],
            options={
                'verbose_name': 'audit chain link',
                'ordering': ['seq'],
            },
        ),
        migrations.RunPython(copy_v1_links, migrations.RunPython.noop),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
