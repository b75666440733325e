"""``migrate`` as the owner role when DATABASE_OWNER_URL is set (ADR 011): the application's
role (DATABASE_URL) owns nothing and cannot run DDL. Everything else is Django's own command; the
post_migrate handlers (audit/apps.py) run inside it, so also as the owner."""

from typing import Any

from django.core.management.commands.migrate import Command as DjangoMigrate

from core.db_roles import as_owner


class Command(DjangoMigrate):
    def handle(self, *args: Any, **options: Any) -> str | None:
        with as_owner(options["database"]):
            return super().handle(*args, **options)
