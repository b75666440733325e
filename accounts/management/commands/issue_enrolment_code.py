"""Operator command: a new enrolment code for an account, printed once (e.g. the first manager's
code expired before they used it). Audited with route SYSTEM and no actor; older codes are void.
Whoever runs it holds the server, and with it the database: this grants nothing they lack."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import enrolment
from accounts.models import User


class Command(BaseCommand):
    help = "Issue a new one-time enrolment code for an account and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = User.objects.filter(username__iexact=username).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active account has the user name {username!r}.")
        code = enrolment.issue(user=user, by=None, deliver="shown")
        self.stdout.write(f"Enrolment code for {user.username} (shown once, not stored): {code}")
        self.stdout.write(f"Valid once; enter it at {enrolment.enrol_link()} or on the authenticator set-up page.")
