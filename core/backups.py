"""Backups that restore: pg_dump/pg_restore for PostgreSQL, SQLite's online backup API for the
embedded default. Used by ``manage.py backup`` and ``manage.py restore`` (see docs/deploy.md).

Rules kept here: no password on a command line (libpq reads PGPASSWORD from the environment);
every external tool bounded by a timeout; the PostgreSQL tools must be at least the server's
major version (pg_dump refuses newer servers, and a dump from a newer pg_dump may not restore
with an older pg_restore); a restore never overwrites a database that has tables unless forced;
a backup file is written under a temporary name, readable by its owner only, and renamed into
place only once complete and readable.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection as default_connection
from django.utils import timezone

PG_MAGIC = b"PGDMP"  # pg_dump's custom format
SQLITE_MAGIC = b"SQLite format 3\x00"
DEFAULT_TIMEOUT = 3600  # seconds; NYTH_BACKUP_TIMEOUT overrides


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class Target:
    """One database, described by Django's settings dictionary (or a parsed DATABASE_URL)."""

    settings_dict: dict[str, Any]

    @property
    def engine(self) -> str:
        engine = self.settings_dict["ENGINE"]
        if "postgresql" in engine:
            return "postgresql"
        if "sqlite3" in engine:
            return "sqlite"
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {engine}.")

    @property
    def name(self) -> str:
        return str(self.settings_dict["NAME"])


def timeout_seconds() -> int:
    value = os.environ.get("NYTH_BACKUP_TIMEOUT", "")
    return int(value) if value.strip() else DEFAULT_TIMEOUT


def default_target() -> Target:
    # The live connection's settings: under the test runner NAME is the test database.
    return Target(dict(default_connection.settings_dict))


def target_from_url(url: str) -> Target:
    import dj_database_url

    return Target(dict(dj_database_url.parse(url)))


def default_output(target: Target) -> Path:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    suffix = "dump" if target.engine == "postgresql" else "sqlite3"
    return Path(settings.BASE_DIR) / "var" / "backups" / f"nyth-{stamp}.{suffix}"


# --- PostgreSQL tools -------------------------------------------------------------------------


def _pg_env(target: Target) -> dict[str, str]:
    """libpq's environment: the password never appears in a process listing."""
    s = target.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    values = {
        "PGHOST": s.get("HOST") or "",
        "PGPORT": str(s.get("PORT") or ""),
        "PGUSER": s.get("USER") or "",
        "PGPASSWORD": s.get("PASSWORD") or "",
        "PGDATABASE": target.name,
        "PGSSLMODE": (s.get("OPTIONS") or {}).get("sslmode", ""),
        "PGCONNECT_TIMEOUT": "10",
    }
    env.update({k: v for k, v in values.items() if v})
    return env


def _server_major(target: Target) -> int:
    import psycopg

    s = target.settings_dict
    kwargs: dict[str, Any] = {
        "host": s.get("HOST") or None,
        "port": s.get("PORT") or None,
        "user": s.get("USER") or None,
        "password": s.get("PASSWORD") or None,
        "dbname": "postgres",
        "connect_timeout": 10,
    }
    try:
        with psycopg.connect(**{k: v for k, v in kwargs.items() if v is not None}) as conn:
            return conn.info.server_version // 10000
    except psycopg.Error as exc:
        raise BackupError(f"Cannot reach the PostgreSQL server: {exc.__class__.__name__}: {exc}") from exc


def _tool_major(path: str) -> int:
    result = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=False)  # noqa: S603
    match = re.search(r"\(PostgreSQL\) (\d+)", result.stdout)
    if result.returncode != 0 or not match:
        raise BackupError(f"{path} --version did not say its version: {result.stdout or result.stderr}")
    return int(match.group(1))


def find_pg_tool(tool: str, server_major: int) -> str:
    """``tool`` (pg_dump, pg_restore) of at least the server's major version: NYTH_PG_BIN, then
    Debian's /usr/lib/postgresql/<major>/bin, then PATH."""
    candidates = []
    if os.environ.get("NYTH_PG_BIN"):
        candidates.append(Path(os.environ["NYTH_PG_BIN"]) / tool)
    candidates.append(Path(f"/usr/lib/postgresql/{server_major}/bin") / tool)
    on_path = shutil.which(tool)
    if on_path:
        candidates.append(Path(on_path))
    found = []
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            major = _tool_major(str(candidate))
            if major >= server_major:
                return str(candidate)
            found.append(f"{candidate} (version {major})")
    detail = f"; found only {', '.join(found)}" if found else ""
    raise BackupError(
        f"{tool} for PostgreSQL {server_major} or later is not installed{detail}. Install "
        f"postgresql-client-{server_major}, or set NYTH_PG_BIN to its bin directory."
    )


def _run(command: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(  # noqa: S603 - fixed tool paths and arguments, no shell
            command, env=env, capture_output=True, text=True, timeout=timeout_seconds(), check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{what} did not finish within {timeout_seconds()} s (NYTH_BACKUP_TIMEOUT).") from exc
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}):\n{result.stderr.strip()}")
    return result


# --- Backup -----------------------------------------------------------------------------------


def _temporary(output: Path) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(f".{output.name}.partial")
    temporary.unlink(missing_ok=True)
    # Personal data: readable by the owner only, from the first byte.
    temporary.touch(mode=0o600)
    os.chmod(temporary, 0o600)
    return temporary


def backup(output: Path | None = None, target: Target | None = None) -> Path:
    target = target or default_target()
    output = Path(output) if output else default_output(target)
    if output.exists():
        raise BackupError(f"{output} already exists: choose another --output (a backup is never overwritten).")
    temporary = _temporary(output)
    try:
        if target.engine == "postgresql":
            major = _server_major(target)
            env = _pg_env(target)
            _run([find_pg_tool("pg_dump", major), "--format=custom", "--file", str(temporary)], env, "pg_dump")
            # Proves the file is a complete archive pg_restore can read.
            _run([find_pg_tool("pg_restore", major), "--list", str(temporary)], env, "pg_restore --list")
        else:
            _sqlite_backup(target, temporary)
        temporary.replace(output)
    finally:
        temporary.unlink(missing_ok=True)
    return output


def _sqlite_backup(target: Target, temporary: Path) -> None:
    """The online backup API: a consistent copy while the service keeps writing."""
    destination = sqlite3.connect(temporary)
    try:
        if (
            target.settings_dict is default_connection.settings_dict
            or target.name == default_connection.settings_dict["NAME"]
        ):
            # Through Django's own connection: works for the file and for an in-memory test database.
            default_connection.ensure_connection()
            default_connection.connection.backup(destination)
        else:
            source = sqlite3.connect(f"file:{target.name}?mode=ro", uri=True, timeout=20)
            try:
                source.backup(destination)
            finally:
                source.close()
        (verdict,) = destination.execute("PRAGMA integrity_check").fetchone()
        if verdict != "ok":
            raise BackupError(f"The SQLite copy failed its integrity check: {verdict}")
    finally:
        destination.close()


# --- Restore ----------------------------------------------------------------------------------


def _kind_of(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(PG_MAGIC):
        return "postgresql"
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    raise BackupError(f"{path} is neither a pg_dump custom-format archive nor a SQLite database.")


def _pg_connect(target: Target) -> Any:
    import psycopg

    env = _pg_env(target)
    conninfo: dict[str, Any] = {
        "host": env.get("PGHOST"),
        "port": env.get("PGPORT"),
        "user": env.get("PGUSER"),
        "password": env.get("PGPASSWORD"),
        "dbname": target.name,
        "connect_timeout": 10,
    }
    return psycopg.connect(**{k: v for k, v in conninfo.items() if v})


def table_count(target: Target) -> int:
    if target.engine == "postgresql":
        import psycopg

        try:
            with _pg_connect(target) as conn:
                row = conn.execute(
                    "SELECT count(*) FROM information_schema.tables "
                    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                ).fetchone()
        except psycopg.Error as exc:
            raise BackupError(
                f"Cannot open the target database {target.name!r}: {exc}. Create it first (empty), "
                "owned by the role that runs migrations."
            ) from exc
        return int(row[0])
    path = Path(target.name)
    if not path.exists():
        return 0
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=20)
    try:
        return int(conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0])
    finally:
        conn.close()


def grant_app_role(target: Target, app_role: str) -> None:
    """Give the application role its privileges on a restored database (ADR 011): the restore
    leaves grants out, as role names differ between servers. As the restoring role, which now
    owns every object."""
    import psycopg

    from core.db_roles import DatabaseRolesError, apply_grants, psycopg_execute

    try:
        with _pg_connect(target) as conn, conn.transaction():
            execute = psycopg_execute(conn)
            owner = execute("SELECT current_user", ())[0][0]
            apply_grants(execute, app_role=app_role, owner_role=owner, database=target.name)
    except (psycopg.Error, DatabaseRolesError) as exc:
        raise BackupError(
            f"Restored, but the application role {app_role!r} could not be granted its privileges: {exc}"
        ) from exc


def restore(path: Path, target: Target, *, force: bool = False, app_role: str | None = None) -> None:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup at {path}.")
    kind = _kind_of(path)
    if kind != target.engine:
        raise BackupError(f"{path} is a {kind} backup; the target database is {target.engine}.")
    tables = table_count(target)
    if tables and not force:
        raise BackupError(
            f"The target database {target.name!r} is not empty ({tables} tables). Restore into an empty "
            "database, or pass --force to replace what is there."
        )
    if kind == "postgresql":
        major = _server_major(target)
        command = [
            find_pg_tool("pg_restore", major),
            "--dbname",
            target.name,
            "--exit-on-error",
            # Objects belong to whoever restores (the owner role); the application role's grants
            # are applied afterwards (grant_app_role), as the roles may differ between servers.
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
        ]
        if tables:
            command += ["--clean", "--if-exists"]
        _run([*command, str(path)], _pg_env(target), "pg_restore")
        if app_role:
            grant_app_role(target, app_role)
    else:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        destination = sqlite3.connect(target.name, timeout=20)
        try:
            source.backup(destination)  # replaces the whole target database, page by page
        finally:
            source.close()
            destination.close()
