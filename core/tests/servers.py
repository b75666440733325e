"""Real servers for tests: gunicorn (and nginx in front) on free loopback ports, always torn down."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parents[2]
SECRET = "scratch-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-limits"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ScratchDatabase:
    """A scratch database beside the test runner's own: a SQLite file under ``workdir``, or – when
    ``DATABASE_URL`` is PostgreSQL – a PostgreSQL database of its own, created and dropped here
    (named after DATABASE_URL's database, so each checkout's scratch names stay its own).
    The one helper for every test that runs Nyth in another process (smoke/, e2e/, the limit
    across workers, backups).

    With ``roles=True`` (PostgreSQL) it is set up as production is (ADR 011): an owner role owns
    the database (``owner_url``: migrate, database_roles, restore) and an application role owns
    nothing (``url``: what the server is given); both roles are dropped with the database.
    ``query`` and ``execute`` are the tests' own view, as the configured (super)user."""

    def __init__(self, workdir: Path, label: str = "smoke", *, roles: bool = False) -> None:
        configured = os.environ.get("DATABASE_URL", "")
        self.is_postgres = configured.startswith("postgres")
        self.roles = roles and self.is_postgres
        self.owner_role = self.app_role = ""
        if self.is_postgres:
            parts = urlsplit(configured)
            prefix = parts.path.lstrip("/") or "nyth"
            self.name = f"{prefix}_{label}_{os.getpid()}"
            self._direct_url = urlunsplit(parts._replace(scheme="postgresql", path=f"/{self.name}"))
            self._admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
            self.url = self.owner_url = urlunsplit(parts._replace(path=f"/{self.name}"))
            if self.roles:
                self.owner_role, self.app_role = f"{self.name}_owner", f"{self.name}_app"
                self._password = secrets.token_urlsafe(16)
                host = parts.hostname or "127.0.0.1"
                netloc = f"{{}}:{self._password}@{host}" + (f":{parts.port}" if parts.port else "")
                self.owner_url = urlunsplit(parts._replace(netloc=netloc.format(self.owner_role), path=f"/{self.name}"))
                self.url = urlunsplit(parts._replace(netloc=netloc.format(self.app_role), path=f"/{self.name}"))
        else:
            self.name = str(workdir / f"{label}.sqlite3")
            self.url = self.owner_url = f"sqlite:///{self.name}"
            self._direct_url = ""

    def _admin(self, statement: str, *names: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self._admin_url, autocommit=True, connect_timeout=10) as connection:
            identifiers = [sql.Identifier(name) for name in (names or (self.name,))]
            connection.execute(sql.SQL(statement).format(*identifiers))

    def create(self) -> None:
        if self.is_postgres:
            self.drop()  # left by a crashed run with this pid
            if self.roles:
                for role in (self.owner_role, self.app_role):
                    self._admin(f"CREATE ROLE {{}} LOGIN NOSUPERUSER PASSWORD '{self._password}'", role)
                self._admin("CREATE DATABASE {} OWNER {}", self.name, self.owner_role)
                self._admin("REVOKE ALL ON DATABASE {} FROM PUBLIC", self.name)
            else:
                self._admin("CREATE DATABASE {}")

    def drop(self) -> None:
        if self.is_postgres:
            self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            if self.roles:  # after the database: its grants and default privileges went with it
                for role in (self.app_role, self.owner_role):
                    self._admin("DROP ROLE IF EXISTS {}", role)

    def query(self, sql_text: str, params: tuple = ()) -> list[tuple]:
        """Read what the server stored (the tests' view of the database, never the server's)."""
        if self.is_postgres:
            import psycopg

            with psycopg.connect(self._direct_url, connect_timeout=10) as connection:
                return list(connection.execute(sql_text.replace("?", "%s"), params).fetchall())
        import sqlite3

        connection = sqlite3.connect(self.name, timeout=10)
        try:
            return list(connection.execute(sql_text, params).fetchall())
        finally:
            connection.close()

    def execute(self, *statements: str) -> None:
        """Change what is stored behind the server's back (e.g. tampering, in the backup test)."""
        if self.is_postgres:
            import psycopg

            with psycopg.connect(self._direct_url, connect_timeout=10) as connection:
                for statement in statements:
                    connection.execute(statement)
            return
        import sqlite3

        connection = sqlite3.connect(self.name, timeout=10)
        try:
            for statement in statements:
                connection.execute(statement)
            connection.commit()
        finally:
            connection.close()


def scratch_env(database: ScratchDatabase, **extra: str) -> dict[str, str]:
    """Production settings on a scratch database (created by the caller, who drops it); a new
    database connection for every request."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NYTH_", "PYTEST", "DJANGO_")) and k != "DATABASE_OWNER_URL"
    }
    env["DATABASE_URL"] = database.url
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=SECRET,
        DEBUG="0",
        NYTH_DEMO="0",
        NYTH_HTTPS="0",
        NYTH_TESTING="1",  # static files from the finders: no collectstatic needed here
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DB_CONN_MAX_AGE="0",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: int = 300) -> str:
    """Run our own manage.py in another process with this environment; its output, or an error
    carrying everything it printed."""
    result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"`manage.py {' '.join(args)}` failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def wait_for_http(url: str, deadline_seconds: float = 60) -> None:
    deadline = time.monotonic() + deadline_seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback test server
            return
        except OSError as error:
            if hasattr(error, "code"):  # an HTTP error answer still means the server is up
                return
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)  # polling with a deadline, not a fixed wait


class Gunicorn:
    def __init__(self, tmp_path: Path, env: dict[str, str], workers: int = 2) -> None:
        self.port = free_port()
        self.access_log = tmp_path / "access.log"
        config = tmp_path / "gunicorn.conf.py"
        config.write_text(
            f"bind = '127.0.0.1:{self.port}'\nworkers = {workers}\ntimeout = 30\n"
            f"accesslog = {str(self.access_log)!r}\n"
            'access_log_format = \'%(p)s %(s)s "%(m)s %(U)s" xff="%({x-forwarded-for}i)s"\'\n'
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(config), "config.wsgi:application"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp_path / "gunicorn.err", "w"),  # noqa: SIM115
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def log_lines(self) -> list[tuple[str, ...]]:
        """(pid, status, \"METHOD path\", X-Forwarded-For) for each request served."""
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return [m.groups() for m in (re.match(r'^<(\d+)> (\d+) "(\S+ \S+)" xff="(.*)"', line) for line in lines) if m]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def nginx_binary() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
