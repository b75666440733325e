from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.checkpoints import generate_key_pair


class Command(BaseCommand):
    help = (
        "Write a new Ed25519 key pair for signing audit checkpoints: the private key (mode 0600) for the "
        "checkpoint job only, the public key for whoever verifies (it may be published)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--private", required=True, metavar="FILE", help="Where to write the private key (must not exist)."
        )
        parser.add_argument("--public", required=True, metavar="FILE", help="Where to write the public key.")

    def handle(self, *args: Any, private: Any, public: Any, **options: Any) -> None:
        try:
            generate_key_pair(Path(private), Path(public))
        except FileExistsError as error:
            raise CommandError(f"{private} exists: a checkpoint key is never overwritten.") from error
        self.stdout.write(self.style.SUCCESS(f"Private key: {private} (mode 0600). Public key: {public}."))
