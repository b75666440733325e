"""Backups that restore: back up the test database, restore into a scratch database, and run
verify_audit there (exit 0); a tampered restore is detected (exit non-zero). Runs on SQLite and,
with DATABASE_URL set to PostgreSQL, with pg_dump/pg_restore."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from audit.models import Action, Route
from audit.services import record
from core.tests.servers import ScratchDatabase

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def scratch(tmp_path) -> Iterator[ScratchDatabase]:
    # On PostgreSQL as production has it (ADR 011): restored by the owner, used by the app role.
    database = ScratchDatabase(tmp_path, label="restore", roles=True)
    database.create()
    try:
        yield database
    finally:
        database.drop()


def verify_audit_in(database_url: str) -> subprocess.CompletedProcess:
    """`manage.py verify_audit` as an operator runs it, against the restored database."""
    env = {k: v for k, v in os.environ.items() if k not in ("NYTH_DEMO", "DJANGO_SETTINGS_MODULE")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.test_settings", "DATABASE_URL": database_url})
    return subprocess.run(
        [sys.executable, "manage.py", "verify_audit"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _audit_some_events() -> None:
    for n in range(5):
        record(actor=None, action=Action.VIEW, route=Route.SYSTEM, detail={"backup test": n})


def test_a_backup_restores_and_its_audit_chain_verifies_and_tampering_is_detected(tmp_path, scratch):
    _audit_some_events()
    output = tmp_path / "backups" / ("nyth.dump" if scratch.is_postgres else "nyth.sqlite3")
    call_command("backup", output=output)
    assert output.is_file() and output.stat().st_size > 0
    assert stat.S_IMODE(output.stat().st_mode) == 0o600  # personal data: owner only
    assert not list(output.parent.glob(".*partial"))

    call_command("restore", str(output), database_url=scratch.owner_url, app_role=scratch.app_role or None)
    # Verified as the application role: the restore gave it back its privileges (the dump's own
    # grants are left out, as role names differ between servers).
    verified = verify_audit_in(scratch.url)
    assert verified.returncode == 0, verified.stderr
    assert "5" in verified.stdout or "events" in verified.stdout.lower()
    if scratch.roles:
        _the_app_role_can_write_but_not_wipe(scratch)

    # Someone edits an audit event in the restored copy: verify_audit names it and fails.
    tamper = "UPDATE audit_auditevent SET reason = 'nothing to see' WHERE id = (SELECT event_id FROM audit_auditlink WHERE seq = 2)"
    if scratch.is_postgres:  # the append-only triggers refuse UPDATE; an owner can switch them off
        scratch.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER", tamper)
    else:
        scratch.execute(tamper)
    tampered = verify_audit_in(scratch.url)
    assert tampered.returncode != 0
    assert "2" in tampered.stderr

    # A non-empty database is never overwritten by accident...
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(output), database_url=scratch.owner_url)
    # ...but --force replaces it, and the chain is whole again.
    call_command("restore", str(output), database_url=scratch.owner_url, force=True, app_role=scratch.app_role or None)
    assert verify_audit_in(scratch.url).returncode == 0
    if scratch.roles:
        _the_app_role_can_write_but_not_wipe(scratch)


def _the_app_role_can_write_but_not_wipe(scratch: ScratchDatabase) -> None:
    import psycopg

    with psycopg.connect(scratch.url.replace("postgres://", "postgresql://", 1), connect_timeout=10) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (scratch.app_role,)
        conn.execute("INSERT INTO django_session VALUES ('restored', 'x', now())")
        conn.execute("DELETE FROM django_session WHERE session_key = 'restored'")
        conn.commit()
        for sql in (
            "TRUNCATE audit_auditevent CASCADE",
            "DELETE FROM audit_auditevent",
            "DELETE FROM audit_auditchainhead",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
            conn.rollback()


def test_backup_never_overwrites_an_existing_file(tmp_path):
    existing = tmp_path / "there.dump"
    existing.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", output=existing)
    assert existing.read_bytes() == b"keep me"


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, scratch):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database")
    with pytest.raises(CommandError, match="neither a pg_dump"):
        call_command("restore", str(bogus), database_url=scratch.url)
    with pytest.raises(CommandError, match="No backup at"):
        call_command("restore", str(tmp_path / "missing.dump"), database_url=scratch.url)
