"""What the application's database role may do to the audit trail, declared in one place, and the
PostgreSQL triggers that hold every audit table to it (ADR 011).

Generic over the tables of the ``audit`` app (from the app registry, auto-created tables
included), so a table added by a later migration is covered by the ``post_migrate`` handler
(audit/apps.py) without being named here. By default the application role may SELECT and
INSERT an audit table, nothing else; the exceptions are the sets below. SQLite (the embedded
demo) has no roles and no such triggers: the ORM guard and the hash chain protect it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.apps.registry import Apps

# The chain head moves forward with every append (the sequencer needs it); its trigger refuses
# any move backwards. Everything else in the audit app is insert-only for the application.
APP_MAY_UPDATE: frozenset[str] = frozenset({"audit_auditchainhead"})
APP_MAY_DELETE: frozenset[str] = frozenset()
# Tables whose rows hold the chain's position (sequence, hash): UPDATE only forwards, and DELETE,
# by anyone but the owner, refused.
HEAD_TABLES: dict[str, tuple[str, str]] = {"audit_auditchainhead": ("last_seq", "last_hash")}

TRUNCATE_TRIGGER = "nyth_audit_no_truncate"
UPDATE_TRIGGER = "nyth_audit_no_update"
DELETE_TRIGGER = "nyth_audit_no_delete"
HEAD_TRIGGER = "nyth_audit_head_forward_only"


def ident(name: str) -> str:
    """A PostgreSQL identifier, quoted (names come from our own registry, but quote anyway)."""
    return '"' + name.replace('"', '""') + '"'


def audit_tables(app_registry: Apps | None = None) -> list[str]:
    """Every table of the audit app: its models, auto-created M2M tables and history tables
    (simple-history registers them in the model's app). ``app_registry`` is a migration's
    historical registry, or the live one when omitted."""
    if app_registry is None:
        from django.apps import apps

        app_registry = apps
    config = app_registry.get_app_config("audit")
    tables = {
        model._meta.db_table
        for model in config.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return sorted(tables)


# The owner test: a member of the table's owning role (a superuser is a member of every role) may
# TRUNCATE (Django's test flush) and correct the head; the application role is never a member
# (database_roles refuses to grant anything to such a role).
FUNCTIONS = """
CREATE OR REPLACE FUNCTION nyth_audit_is_owner(rel oid) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = rel), 'MEMBER')
$$;
CREATE OR REPLACE FUNCTION nyth_audit_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF nyth_audit_is_owner(TG_RELID) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit table % cannot be truncated by %', TG_TABLE_NAME, current_user
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE OR REPLACE FUNCTION nyth_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE OR REPLACE FUNCTION nyth_audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    seq_column text := TG_ARGV[0];
    hash_column text := TG_ARGV[1];
    old_seq numeric;
    new_seq numeric;
    old_hash text;
    new_hash text;
BEGIN
    IF nyth_audit_is_owner(TG_RELID) THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit chain head (%) cannot be deleted', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    EXECUTE format('SELECT ($1).%I::numeric, ($2).%I::numeric, ($1).%I::text, ($2).%I::text',
                   seq_column, seq_column, hash_column, hash_column)
        INTO old_seq, new_seq, old_hash, new_hash USING OLD, NEW;
    IF new_seq < old_seq OR (new_seq = old_seq AND new_hash IS DISTINCT FROM old_hash)
            OR to_jsonb(NEW) -> 'id' IS DISTINCT FROM to_jsonb(OLD) -> 'id' THEN
        RAISE EXCEPTION 'the audit chain head only moves forward (% -> %)', old_seq, new_seq
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
"""
DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS nyth_audit_head_forward_only();
DROP FUNCTION IF EXISTS nyth_audit_refuse_change();
DROP FUNCTION IF EXISTS nyth_audit_refuse_truncate();
DROP FUNCTION IF EXISTS nyth_audit_is_owner(oid);
"""


def trigger_statements(tables: Iterable[str]) -> list[str]:
    """Idempotent SQL that gives every audit table its guards, following the declarations above
    (a table taken out of APP_MAY_UPDATE gets its trigger back; one put in loses it)."""
    statements = [FUNCTIONS]
    for table in tables:
        t = ident(table)
        statements.append(
            f"CREATE OR REPLACE TRIGGER {TRUNCATE_TRIGGER} BEFORE TRUNCATE ON {t} "
            "FOR EACH STATEMENT EXECUTE FUNCTION nyth_audit_refuse_truncate()"
        )
        if table in HEAD_TABLES:
            seq_column, hash_column = HEAD_TABLES[table]
            statements.append(
                f"CREATE OR REPLACE TRIGGER {HEAD_TRIGGER} BEFORE UPDATE OR DELETE ON {t} FOR EACH ROW "
                f"EXECUTE FUNCTION nyth_audit_head_forward_only('{seq_column}', '{hash_column}')"
            )
            statements.append(f"DROP TRIGGER IF EXISTS {UPDATE_TRIGGER} ON {t}")
            statements.append(f"DROP TRIGGER IF EXISTS {DELETE_TRIGGER} ON {t}")
            continue
        for trigger, operation, allowed in (
            (UPDATE_TRIGGER, "UPDATE", APP_MAY_UPDATE),
            (DELETE_TRIGGER, "DELETE", APP_MAY_DELETE),
        ):
            if table in allowed:
                statements.append(f"DROP TRIGGER IF EXISTS {trigger} ON {t}")
            else:
                statements.append(
                    f"CREATE OR REPLACE TRIGGER {trigger} BEFORE {operation} ON {t} "
                    "FOR EACH ROW EXECUTE FUNCTION nyth_audit_refuse_change()"
                )
    return statements


def drop_trigger_statements(tables: Iterable[str]) -> list[str]:
    statements = []
    for table in tables:
        for trigger in (TRUNCATE_TRIGGER, UPDATE_TRIGGER, DELETE_TRIGGER, HEAD_TRIGGER):
            statements.append(f"DROP TRIGGER IF EXISTS {trigger} ON {ident(table)}")
    return [*statements, DROP_FUNCTIONS]


def privilege_statements(app_role: str, tables: Iterable[str]) -> list[str]:
    """Take from the application role every privilege on the audit tables beyond SELECT and
    INSERT, except what the declarations above allow."""
    role = ident(app_role)
    statements = []
    for table in tables:
        t = ident(table)
        statements.append(f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {t} FROM {role}")
        statements.append(f"GRANT SELECT, INSERT ON {t} TO {role}")
        if table in APP_MAY_UPDATE:
            statements.append(f"GRANT UPDATE ON {t} TO {role}")
        if table in APP_MAY_DELETE:
            statements.append(f"GRANT DELETE ON {t} TO {role}")
    return statements


def grants_after_broad_ones(app_role: str) -> list[str]:
    """What ``manage.py database_roles`` runs after the broad grants (core.db_roles.register_grants):
    the audit tables lose UPDATE, DELETE and TRUNCATE, and get their triggers."""
    tables = audit_tables()
    return [*privilege_statements(app_role, tables), *trigger_statements(tables)]
