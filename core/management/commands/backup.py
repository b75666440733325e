from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database: pg_dump custom format for PostgreSQL, SQLite's online backup API for "
        "the embedded database. Default output: var/backups/nyth-<UTC time>.dump|.sqlite3 (mode 0600)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="where to write the backup (must not exist)")

    def handle(self, *args: Any, output: Any = None, **options: Any) -> None:
        try:
            written = backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backup written to {written} ({written.stat().st_size} bytes).")
