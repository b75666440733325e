import time

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from audit.chain import ChainTailMismatch, seal_pending


class Command(BaseCommand):
    help = (
        "Chain recorded audit events that are waiting to be sealed (the worker does this every "
        "NYTH_AUDIT_SEAL_SECONDS; with --every, this command runs as the sequencer itself, e.g. beside an RQ worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0, metavar="SECONDS", help="Keep sealing at this interval.")
        parser.add_argument("--limit", type=int, default=500, help="Events per short transaction.")

    def handle(self, *args, every, limit, **options):
        while True:
            try:
                sealed = seal_pending(limit=limit)
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
