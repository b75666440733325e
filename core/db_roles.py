"""Two database roles on PostgreSQL (ADR 011): the **owner** owns the schema and runs DDL; the
**application** role (DATABASE_URL) owns nothing and holds only the privileges granted here.

- ``as_owner()`` swaps the default connection's credentials to DATABASE_OWNER_URL's for the
  commands that run DDL (migrate, createcachetable, restore, database_roles); nothing else ever
  connects as the owner.
- ``grant_statements()`` is the SQL ``manage.py database_roles`` runs: CONNECT, schema USAGE,
  default privileges for what the owner creates later, the same on what exists, then what other
  apps register with ``register_grants`` – the audit app's revokes and triggers (audit/db_roles.py,
  registered in ``AuditConfig.ready``: core sits below every app and imports none of them).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connections

Execute = Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]]
#: Given the application role, the statements an app needs after the broad grants.
GrantExtension = Callable[[str], list[str]]
_extensions: list[GrantExtension] = []


def ident(name: str) -> str:
    """A PostgreSQL identifier, quoted (names come from our own settings, but quote anyway)."""
    return '"' + name.replace('"', '""') + '"'


def register_grants(extension: GrantExtension) -> None:
    """Add statements after the broad grants (idempotent: ``ready`` may run more than once)."""
    if extension not in _extensions:
        _extensions.append(extension)


class DatabaseRolesError(Exception):
    """The roles cannot be set up as asked; the message says why and what to do."""


def owner_credentials() -> dict[str, str] | None:
    return settings.NYTH_DATABASE_OWNER


def configured_app_role() -> str | None:
    """The application's role when DATABASE_OWNER_URL names another user; None when one role
    does both (the test suite, the demo, a deployment that has not split them)."""
    owner = owner_credentials()
    app = settings.NYTH_DATABASE_APP_USER
    if not owner or not app or owner["USER"] == app:
        return None
    return app


@contextlib.contextmanager
def as_owner(alias: str = "default") -> Iterator[None]:
    """Connect ``alias`` as the owner for the duration (no-op without DATABASE_OWNER_URL). The
    same database, host and port (settings checks it): only the user and password change, so
    under the test runner the test database is kept."""
    owner = owner_credentials()
    connection = connections[alias]
    if not owner or connection.settings_dict.get("USER") == owner["USER"]:
        yield
        return
    saved = {key: connection.settings_dict.get(key) for key in ("USER", "PASSWORD")}
    connection.close()
    connection.settings_dict.update(owner)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def grant_statements(*, app_role: str, owner_role: str, database: str, schema: str = "public") -> list[str]:
    """The application role's privileges, idempotent, in the order they must run (one
    transaction: the registered statements – the audit revokes – follow the broad grants before
    anyone sees them)."""
    app, owner, db, sch = ident(app_role), ident(owner_role), ident(database), ident(schema)
    statements = [
        f"GRANT CONNECT ON DATABASE {db} TO {app}",
        f"GRANT USAGE ON SCHEMA {sch} TO {app}",
        f"REVOKE CREATE ON SCHEMA {sch} FROM {app}",
        # What the owner creates from now on (every later migration's tables and sequences).
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {sch} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {sch} GRANT USAGE, SELECT ON SEQUENCES TO {app}",
        # What exists already.
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {sch} TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {sch} TO {app}",
    ]
    for extension in _extensions:
        statements += extension(app_role)
    return statements


def check_roles(execute: Execute, *, app_role: str, owner_role: str) -> None:
    """Refuse to grant to a role that could get round the grants: a superuser bypasses
    privileges, and a member of the owner may disable the triggers."""
    rows = execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (app_role,))
    if not rows:
        raise DatabaseRolesError(
            f"The application role {app_role!r} does not exist: create it first (docs/deploy.md, section 3)."
        )
    if rows[0][0]:
        raise DatabaseRolesError(f"The application role {app_role!r} is a superuser: it bypasses every privilege.")
    if app_role == owner_role or execute("SELECT pg_has_role(%s, %s, 'MEMBER')", (app_role, owner_role))[0][0]:
        raise DatabaseRolesError(
            f"The application role {app_role!r} is (a member of) the owner {owner_role!r}: it could disable the "
            "audit triggers. Use a role that owns nothing."
        )
    owned = execute(
        "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
        "WHERE r.rolname = %s AND c.relnamespace = 'public'::regnamespace",
        (app_role,),
    )[0][0]
    if owned:
        raise DatabaseRolesError(
            f"The application role {app_role!r} owns {owned} relation(s) in the schema: it must own nothing "
            "(ALTER TABLE … OWNER TO the owner role)."
        )


def apply_grants(execute: Execute, *, app_role: str, owner_role: str, database: str) -> list[str]:
    """Check the roles, then run ``grant_statements`` through ``execute`` (the caller holds the
    transaction). Returns the statements run."""
    check_roles(execute, app_role=app_role, owner_role=owner_role)
    statements = grant_statements(app_role=app_role, owner_role=owner_role, database=database)
    for statement in statements:
        execute(statement, ())
    return statements


def django_execute(alias: str = "default") -> Execute:
    def execute(sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params or None)
            return list(cursor.fetchall()) if cursor.description else []

    return execute


def psycopg_execute(conn: Any) -> Execute:
    def execute(sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        cursor = conn.execute(sql, params or None)
        return list(cursor.fetchall()) if cursor.description else []

    return execute
