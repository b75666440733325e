"""On PostgreSQL, every table of the audit app refuses TRUNCATE unless the current user is (a
member of) its owner — so Django's test flush, run as the owner, still works — and refuses row
UPDATE and DELETE except where audit/db_roles.py declares them; the chain head only moves
forward, and only the owner may delete it or move it back. The post_migrate handler
(audit/apps.py) re-ensures the same after every migrate, so tables added later are covered.
The events' own triggers from 0002 stay. SQLite (the embedded demo) is unchanged: the ORM guard
and the hash chain (ADR 002, ADR 011)."""

from django.db import migrations

from audit import db_roles


def add_guards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in db_roles.trigger_statements(db_roles.audit_tables(apps)):
            schema_editor.execute(statement, params=None)


def drop_guards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in db_roles.drop_trigger_statements(db_roles.audit_tables(apps)):
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_action_share")]
    operations = [migrations.RunPython(add_guards, drop_guards)]
