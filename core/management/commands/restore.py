from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backups import BackupError, default_target, restore, target_from_url
from core.db_roles import as_owner, configured_app_role


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an empty database (DATABASE_URL, or "
        "--database-url), as the owner (DATABASE_OWNER_URL) when set, then grant the application role "
        "(DATABASE_URL's user, or --app-role) its privileges (PostgreSQL). Refuses a database that has "
        "tables unless --force. Then run `manage.py verify_audit` against it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the backup file")
        parser.add_argument("--database-url", help="the database to restore into (default: DATABASE_URL)")
        parser.add_argument("--force", action="store_true", help="replace the contents of a non-empty database")
        parser.add_argument(
            "--app-role",
            help="grant this application role its privileges afterwards (default: DATABASE_URL's user "
            "when DATABASE_OWNER_URL is set)",
        )

    def handle(
        self, *args: Any, path: Any, database_url: Any = None, force: Any = False, app_role: Any = None, **options: Any
    ) -> None:
        app_role = app_role or configured_app_role()
        with as_owner():  # objects restored into DATABASE_URL's database belong to the owner
            target = target_from_url(database_url) if database_url else default_target()
            try:
                restore(path, target, force=force, app_role=app_role if target.engine == "postgresql" else None)
            except BackupError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {path} into {target.engine} database {target.name!r}.")
