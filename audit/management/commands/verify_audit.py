from django.core.management.base import BaseCommand, CommandError

from audit.services import verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; report the first altered, inserted or deleted event."

    def handle(self, *args, **options):
        ok, message, _checked = verify_chain()
        if not ok:
            raise CommandError(message)
        self.stdout.write(self.style.SUCCESS(message))
