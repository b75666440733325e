import time
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection

from audit.chain import ChainTailMismatch, seal_pending


class Command(BaseCommand):
    help = (
        "Chain recorded audit events that are waiting to be sealed (the worker does this every "
        "NYTH_AUDIT_SEAL_SECONDS; with --every, this command runs as the sequencer itself, e.g. beside an RQ worker)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=0, metavar="SECONDS", help="Keep sealing at this interval.")
        parser.add_argument("--limit", type=int, default=500, help="Events per short transaction.")

    def handle(self, *args: Any, every: Any, limit: Any, **options: Any) -> None:
        # Once: the whole trail. As the sequencer: the cheap pass for new events at each
        # interval, and the sweep for late commits every NYTH_AUDIT_SWEEP_SECONDS (as run_worker).
        since_sweep = float(settings.NYTH_AUDIT_SWEEP_SECONDS)
        scope: Literal["new", "recent", "all"]
        while True:
            if not every:
                scope = "all"
            elif since_sweep >= settings.NYTH_AUDIT_SWEEP_SECONDS:
                scope, since_sweep = "recent", 0.0
            else:
                scope = "new"
            try:
                sealed = seal_pending(limit=limit, scope=scope)
            except (ImproperlyConfigured, ChainTailMismatch) as error:
                raise CommandError(str(error)) from error
            except DatabaseError:
                if not every:
                    raise
                # The database is away: try again at the next interval (nothing is lost, the
                # events wait unsealed).
                self.stderr.write("audit sequencer: database unavailable, retrying")
                connection.close()
                sealed = 0
            if sealed or options["verbosity"] > 1:
                self.stdout.write(f"Sealed {sealed} audit events.")
            if not every:
                return
            time.sleep(every)
            since_sweep += every
