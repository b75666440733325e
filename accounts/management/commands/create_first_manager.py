"""Operator command: the first service manager of a new service (who then approves the rest).

No password is set: the enrolment code printed here, once, lets the manager choose their own
password and set up their authenticator (ADR 009). Refused when the service already has an
active manager – from then on new access goes through a manager's approval.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import enrolment
from accounts.models import Organisation
from accounts.services import DecisionRefused, create_first_manager


class Command(BaseCommand):
    help = "Create the first service manager of a service that has none, and print their enrolment code once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--service", required=True, help="the service's organisation code")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        service = Organisation.objects.filter(code=options["service"]).first()
        if service is None:
            raise CommandError(f"No organisation has the code {options['service']!r}.")
        try:
            user, code = create_first_manager(
                service=service,
                username=options["username"],
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
            )
        except DecisionRefused as refused:
            raise CommandError(refused.message) from refused
        except ValidationError as error:  # a taken user name, a bad email: named plainly
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"Created {user.username}, service manager of {service.code}.")
        self.stdout.write(f"Enrolment code (shown once, not stored): {code}")
        self.stdout.write(f"They open {enrolment.enrol_link()} and choose their own password.")
