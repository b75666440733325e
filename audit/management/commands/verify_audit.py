from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import chain, checkpoints


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chain (sealing waiting events first); report the first altered, "
        "inserted or deleted event. With --checkpoints, also check the signed checkpoints, which catch a "
        "wiped or restarted trail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-seal", action="store_true", help="Do not chain waiting events first; count them.")
        parser.add_argument(
            "--checkpoints",
            metavar="DIR",
            default=None,
            help="Directory of signed checkpoints (audit_checkpoint) the trail must agree with.",
        )
        parser.add_argument(
            "--checkpoints-until",
            metavar="TIME",
            default=None,
            help="Compare only checkpoints signed up to this ISO time (a restored backup: the backup's time).",
        )
        parser.add_argument(
            "--public-key",
            metavar="FILE",
            default=None,
            help="The checkpoint signer's public key (default: NYTH_AUDIT_CHECKPOINT_PUBLIC_KEY).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = chain.verify(seal=not options["no_seal"])
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        if not result.ok:
            raise CommandError(result.message)
        message = result.message
        if options["checkpoints"]:
            public = options["public_key"] or settings.NYTH_AUDIT_CHECKPOINT_PUBLIC_KEY
            if not public:
                raise CommandError("--checkpoints needs --public-key FILE (or NYTH_AUDIT_CHECKPOINT_PUBLIC_KEY).")
            try:
                key = checkpoints.load_public_key(Path(public))
            except (OSError, ValueError) as error:
                raise CommandError(f"Cannot read the checkpoint public key {public}: {error}") from error
            until = None
            if options["checkpoints_until"]:
                try:
                    until = datetime.fromisoformat(options["checkpoints_until"])
                except ValueError as error:
                    raise CommandError(f"--checkpoints-until: not an ISO time: {error}") from error
                until = until if until.tzinfo else until.replace(tzinfo=UTC)
            checked = checkpoints.verify_checkpoints(Path(options["checkpoints"]), key, until=until)
            if not checked.ok:
                raise CommandError(checked.message)
            message = f"{message} {checked.message}"
        self.stdout.write(self.style.SUCCESS(message))
