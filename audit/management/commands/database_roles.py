"""``manage.py database_roles``: grant the application's role what Nyth needs and nothing more
(ADR 011, docs/deploy.md section 3). Run by an operator as the owner (DATABASE_OWNER_URL) or a
superuser, after the roles exist; idempotent; audited (route SYSTEM). ``--print`` shows the SQL
and changes nothing."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from audit.models import Action, Route
from audit.services import record
from core.db_roles import (
    DatabaseRolesError,
    apply_grants,
    as_owner,
    configured_app_role,
    django_execute,
    grant_statements,
    owner_credentials,
)


class Command(BaseCommand):
    help = (
        "Grant the application role (DATABASE_URL's user) its privileges on the database, as the owner "
        "(DATABASE_OWNER_URL): default privileges for future tables, the same on existing ones, and no "
        "UPDATE, DELETE or TRUNCATE on the audit trail's tables. Idempotent. PostgreSQL only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--app-role", help="the application's role (default: DATABASE_URL's user)")
        parser.add_argument(
            "--owner-role",
            help="the role that owns the tables and runs migrations (default: DATABASE_OWNER_URL's user)",
        )
        parser.add_argument("--print", action="store_true", dest="print_only", help="print the SQL; change nothing")

    def handle(
        self, *args: Any, app_role: Any = None, owner_role: Any = None, print_only: Any = False, **options: Any
    ) -> None:
        app_role = app_role or configured_app_role()
        if not app_role:
            raise CommandError(
                "No separate application role: set DATABASE_OWNER_URL (the owner) beside DATABASE_URL (the "
                "application), or pass --app-role."
            )
        with as_owner():
            if connection.vendor != "postgresql":
                raise CommandError("Database roles are for PostgreSQL; SQLite has no roles (ADR 011).")
            owner = owner_credentials()
            execute = django_execute()
            owner_role = owner_role or (owner["USER"] if owner else execute("SELECT current_user", ())[0][0])
            database = connection.settings_dict["NAME"]
            if print_only:
                for statement in grant_statements(app_role=app_role, owner_role=owner_role, database=database):
                    self.stdout.write(statement.strip() + ";")
                return
            try:
                with transaction.atomic():
                    statements = apply_grants(execute, app_role=app_role, owner_role=owner_role, database=database)
                    record(
                        actor=None,
                        action=Action.UPDATE,
                        route=Route.SYSTEM,
                        detail={"command": "database_roles", "app_role": app_role, "owner_role": owner_role},
                    )
            except DatabaseRolesError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Granted {app_role!r} its privileges on {database!r} (owner {owner_role!r}): {len(statements)} statements."
            )
        )
