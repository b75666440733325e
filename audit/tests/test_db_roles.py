"""The proof of the two roles (ADR 011): connected **as the application role** — not a superuser,
who bypasses privileges and is a member of every role — the audit trail cannot be wiped, while
everything the pages do still works. PostgreSQL only (CI's PostgreSQL pass); SQLite has no roles.

The role is a scratch one (roles are cluster-wide: a random name, dropped at the end) given its
privileges by the real ``manage.py database_roles`` code path on the test database.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django.apps import apps as live_apps
from django.apps.registry import Apps
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import DatabaseError, connection, models, transaction
from django.test import override_settings

from audit import chain, db_roles
from audit.apps import ensure_audit_guards
from audit.models import AuditChainHead, AuditEvent, AuditLink
from audit.services import record, verify_chain
from people.models import Child
from people.tests.factories import ChildFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="roles exist on PostgreSQL; CI runs this there"),
    # serialized_rollback, as every transactional test here: the reference organisations come back
    # and the next serialized test finds the database as it expects (no post_migrate rows).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def owner_sql(*statements: str) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@pytest.fixture
def app_role() -> Iterator[tuple[str, str]]:
    name = f"nyth_dbroles_{secrets.token_hex(6)}"
    password = secrets.token_urlsafe(16)
    owner_sql(f"CREATE ROLE {name} LOGIN NOSUPERUSER NOINHERIT PASSWORD '{password}'")
    try:
        yield name, password
    finally:
        connection.close()  # in case a test left the connection as the role
        # Grants and default privileges in this database, then the role itself.
        owner_sql(f"DROP OWNED BY {name}", f"DROP ROLE {name}")


@contextlib.contextmanager
def connected_as(role: tuple[str, str]) -> Iterator[None]:
    """Django's default connection logged in as ``role`` for the duration: the real ORM code
    paths (record(), sessions, history) run with the application's privileges."""
    saved = {key: connection.settings_dict.get(key) for key in ("USER", "PASSWORD")}
    connection.close()
    connection.settings_dict.update(USER=role[0], PASSWORD=role[1])
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)")
            assert cursor.fetchone() == (role[0], False)  # really the role, and not a superuser
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def refused(sql: str, params: tuple = ()) -> str:
    """Run ``sql``; it must fail. Returns the database's message."""
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(caught.value)


def grant(role: tuple[str, str]) -> None:
    call_command("database_roles", app_role=role[0], owner_role=connection.settings_dict["USER"])


def test_as_the_application_role_the_audit_trail_cannot_be_wiped_and_the_pages_still_work(app_role):
    for n in range(3):
        record(actor=None, action="view", route="system", detail={"n": n})
    child = ChildFactory()
    grant(app_role)
    tables = db_roles.audit_tables()
    assert {"audit_auditevent", "audit_auditlink", "audit_auditchainhead"} <= set(tables)

    with connected_as(app_role):
        # Appending works: the real record() inserts an event, and the sequencer (which runs as
        # this role in the worker) chains it and moves the head forward.
        event = record(actor=None, action="view", route="system", detail={"as": "app"})
        assert chain.seal_pending() >= 1
        assert AuditChainHead.objects.get(pk=1).last_seq == AuditLink.objects.get(event=event).seq
        for table in tables:
            assert "permission denied" in refused(f"TRUNCATE {table} CASCADE")
            assert "permission denied" in refused(f"DELETE FROM {table}")
            if table not in db_roles.APP_MAY_UPDATE:
                assert "permission denied" in refused(f"UPDATE {table} SET id = id")
        # The head: forward only, never deleted.
        assert "only moves forward" in refused("UPDATE audit_auditchainhead SET last_seq = last_seq - 1")
        assert "only moves forward" in refused("UPDATE audit_auditchainhead SET last_hash = md5('forged')")
        # Ordinary tables: sessions, a child's record (and its history row), the task and lockout tables.
        session = SessionStore()
        session["x"] = 1
        session.create()
        session.delete()
        Child.objects.filter(pk=child.pk).update(given_name="Ffion-Mai")
        child = Child.objects.get(pk=child.pk)
        child.family_name = "Newname"
        child.save()
        assert child.history.count() >= 2
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM axes_accessattempt")
            cursor.execute("DELETE FROM django_tasks_database_dbtaskresult")
    ok, message, checked = verify_chain()
    assert ok, message
    assert checked == 5  # three before, database_roles' own event, the one appended as the role

    # Every non-audit table of every app: the four DML privileges; audit tables: what is declared.
    def held(table: str) -> set[str]:
        with connection.cursor() as cursor:
            found = set()
            for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"):
                cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [app_role[0], table, privilege])
                if cursor.fetchone()[0]:
                    found.add(privilege)
            return found

    # Every table in the schema (models, M2M, history, the cache table where there is one).
    all_tables = connection.introspection.table_names()
    assert len(all_tables) > 50 and set(tables) <= set(all_tables)
    for table in all_tables:
        privileges = held(table)
        if table in tables:
            expected = {"SELECT", "INSERT"} | ({"UPDATE"} if table in db_roles.APP_MAY_UPDATE else set())
            assert privileges == expected, table
        else:
            assert privileges == {"SELECT", "INSERT", "UPDATE", "DELETE"}, table


def test_the_triggers_refuse_the_application_role_even_if_its_privileges_come_back(app_role):
    record(actor=None, action="view", route="system")
    chain.seal_pending()  # every audit table has a row (row triggers fire only on rows)
    grant(app_role)
    tables = db_roles.audit_tables()
    # An operator's mistake: the privileges granted back. The triggers still refuse.
    owner_sql(*(f"GRANT UPDATE, DELETE, TRUNCATE ON {table} TO {app_role[0]}" for table in tables))
    with connected_as(app_role):
        for table in tables:
            assert "cannot be truncated" in refused(f"TRUNCATE {table} CASCADE")
            if table in db_roles.HEAD_TABLES:
                assert "cannot be deleted" in refused(f"DELETE FROM {table}")
                continue
            assert "append-only" in refused(f"DELETE FROM {table}")
            assert "append-only" in refused(f"UPDATE {table} SET id = id")
    assert AuditEvent.objects.count() == 2 and verify_chain()[0]
    # The owner (here the test runner's user) may still empty them: Django's flush does.
    owner_sql("TRUNCATE audit_auditlink, audit_auditevent, audit_auditchainhead")
    assert AuditEvent.objects.count() == 0


def test_an_audit_table_added_later_is_guarded_by_the_post_migrate_handler(app_role):
    grant(app_role)
    isolated = Apps()

    class Scratch(models.Model):  # noqa: DJ008 - a throwaway table
        note = models.TextField()

        class Meta:
            app_label = "audit"
            db_table = "audit_nyth_dbroles_scratch"
            apps = isolated

    with connection.schema_editor() as editor:
        editor.create_model(Scratch)  # as the owner: the default privileges give the app role DELETE...
    try:
        owner_sql("INSERT INTO audit_nyth_dbroles_scratch (note) VALUES ('kept')")
        registry = SimpleNamespace(
            get_app_config=lambda label: SimpleNamespace(
                get_models=lambda include_auto_created=False: [Scratch, AuditEvent, AuditChainHead]
            )
        )
        with override_settings(
            NYTH_DATABASE_OWNER={"USER": connection.settings_dict["USER"], "PASSWORD": ""},
            NYTH_DATABASE_APP_USER=app_role[0],
        ):
            ensure_audit_guards(sender=live_apps.get_app_config("audit"), using="default", apps=registry)
        with connected_as(app_role):  # ...which the handler has taken away, and triggers added
            assert "permission denied" in refused("DELETE FROM audit_nyth_dbroles_scratch")
            assert "permission denied" in refused("TRUNCATE audit_nyth_dbroles_scratch")
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO audit_nyth_dbroles_scratch (note) VALUES ('appended')")
        assert "append-only" in refused("DELETE FROM audit_nyth_dbroles_scratch")  # even the owner, by row
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(Scratch)


def test_the_owner_with_triggers_disabled_can_still_wipe_the_trail():
    """What the roles cannot stop: the owner may disable the triggers and empty the tables. Then
    only signed checkpoints outside the database reveal it (the audit-chain work, issue 11)."""
    for n in range(3):
        record(actor=None, action="view", route="system", detail={"n": n})
    owner_sql(
        "ALTER TABLE audit_auditevent DISABLE TRIGGER USER",
        "ALTER TABLE audit_auditchainhead DISABLE TRIGGER USER",
        "DELETE FROM audit_auditevent",
        "DELETE FROM audit_auditchainhead",
        "ALTER TABLE audit_auditevent ENABLE TRIGGER USER",
        "ALTER TABLE audit_auditchainhead ENABLE TRIGGER USER",
    )
    assert AuditEvent.objects.count() == 0 and not AuditChainHead.objects.exists()


def test_database_roles_refuses_a_role_that_could_get_round_the_grants(app_role):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="superuser"):
        call_command("database_roles", app_role=connection.settings_dict["USER"], owner_role="nobody_at_all")
    owner_sql(f"GRANT {connection.settings_dict['USER']} TO {app_role[0]}")
    with pytest.raises(CommandError, match="member of"):
        grant(app_role)
    with pytest.raises(CommandError, match="does not exist"):
        call_command("database_roles", app_role="nyth_dbroles_no_such_role", owner_role="postgres")


def test_database_roles_print_shows_the_sql_and_changes_nothing(app_role, capsys):
    call_command("database_roles", app_role=app_role[0], owner_role=connection.settings_dict["USER"], print_only=True)
    out = capsys.readouterr().out
    assert f'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "audit_auditevent" FROM "{app_role[0]}";' in out
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege(%s, 'django_session', 'SELECT')", [app_role[0]])
        assert cursor.fetchone() == (False,)
    assert AuditEvent.objects.count() == 0  # not audited: nothing was done
