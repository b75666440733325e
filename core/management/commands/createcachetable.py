"""``createcachetable`` as the owner role when DATABASE_OWNER_URL is set (ADR 011): it runs DDL,
which the application's role cannot (core's migration calls it too, already as the owner)."""

from typing import Any

from django.core.management.commands.createcachetable import Command as DjangoCreateCacheTable

from core.db_roles import as_owner


class Command(DjangoCreateCacheTable):
    def handle(self, *args: Any, **options: Any) -> None:
        with as_owner(options["database"]):
            return super().handle(*args, **options)
