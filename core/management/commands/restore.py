from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, default_target, restore, target_from_url


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an empty database (DATABASE_URL, or "
        "--database-url). Refuses a database that has tables unless --force. Then run "
        "`manage.py verify_audit` against it."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the backup file")
        parser.add_argument("--database-url", help="the database to restore into (default: DATABASE_URL)")
        parser.add_argument("--force", action="store_true", help="replace the contents of a non-empty database")

    def handle(self, *args, path, database_url=None, force=False, **options):
        target = target_from_url(database_url) if database_url else default_target()
        try:
            restore(path, target, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {path} into {target.engine} database {target.name!r}.")
