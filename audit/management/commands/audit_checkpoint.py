from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.chain import ChainTailMismatch
from audit.checkpoints import load_private_key, write_checkpoint


class Command(BaseCommand):
    help = "Seal waiting audit events, then sign the chain head's sequence and hash into the checkpoint directory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", default=None, help="Default: NYTH_AUDIT_CHECKPOINT_DIR.")
        parser.add_argument("--key", default=None, help="The private key (default: NYTH_AUDIT_CHECKPOINT_KEY).")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = options["dir"] or settings.NYTH_AUDIT_CHECKPOINT_DIR
        key_path = options["key"] or settings.NYTH_AUDIT_CHECKPOINT_KEY
        if not directory or not key_path:
            raise CommandError("Set NYTH_AUDIT_CHECKPOINT_DIR and NYTH_AUDIT_CHECKPOINT_KEY (or pass --dir and --key).")
        try:
            key = load_private_key(Path(key_path))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot use the checkpoint key {key_path}: {error}") from error
        try:
            path = write_checkpoint(Path(directory), key)
        except ChainTailMismatch as error:
            raise CommandError(f"No checkpoint of a chain whose end does not match its head: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Checkpoint written: {path}"))
