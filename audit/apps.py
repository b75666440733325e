from __future__ import annotations

import logging
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from audit.db_roles import grants_after_broad_ones
        from core.db_roles import register_grants

        post_migrate.connect(ensure_audit_guards, sender=self, dispatch_uid="audit.ensure_audit_guards")
        register_grants(grants_after_broad_ones)


def ensure_audit_guards(sender: AppConfig, using: str = "default", apps: Any = None, **kwargs: Any) -> None:
    """After every migrate (run as the owner): every audit table, including one a migration has
    just added, gets its triggers and loses the application role's UPDATE, DELETE and TRUNCATE
    (audit/db_roles.py). PostgreSQL only; the role part only when DATABASE_OWNER_URL names
    another user than DATABASE_URL."""
    from django.db import connections, transaction

    from audit import db_roles
    from core.db_roles import configured_app_role, django_execute

    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    tables = db_roles.audit_tables(apps)
    app_role = configured_app_role()
    execute = django_execute(using)
    with transaction.atomic(using=using):
        statements = db_roles.trigger_statements(tables)
        if app_role:
            if execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (app_role,)):
                statements += db_roles.privilege_statements(app_role, tables)
            else:
                logger.warning("The application role %r does not exist yet: run `manage.py database_roles`.", app_role)
        for statement in statements:
            execute(statement, ())
