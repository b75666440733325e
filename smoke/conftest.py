"""Production smoke suite: Nyth as an operator runs it.

Once per session: a scratch database (a temporary SQLite file, or — when ``DATABASE_URL`` is
PostgreSQL — a PostgreSQL database of its own, created and dropped here), migrated and seeded
with a small demo; ``collectstatic`` with production settings into a temporary directory; then
**gunicorn with deploy/gunicorn.conf.py and 2 workers**, production settings (``DEBUG=0``,
``NYTH_DEMO=0``, HTTPS on, ``NYTH_BEHIND_PROXY=1``) on a free loopback port. Requests carry
``X-Forwarded-Proto: https`` as from a TLS-terminating proxy. On PostgreSQL the database has
two roles as in production (ADR 011): migrate and ``database_roles`` run as the owner
(``DATABASE_OWNER_URL``), the seed, the server and the worker as the application role. Beside it, **the task worker the
settings name**: ``manage.py run_worker`` (the database queue, the default), or — with
``NYTH_SMOKE_TASK_BACKEND=rq`` (or ``NYTH_TASK_BACKEND=rq``) — ``manage.py rqworker
--with-scheduler default`` on Redis DB 5, which is then also the cache and the limiter's store
(flushed at the start and the end). Everything is torn down at the end.

``NYTH_SMOKE_FULL=1`` (``make proof``, ``.ci/run``) also runs the tests marked ``smoke_full``
(the 10,000-row import and the killed worker); without it they are deselected, not skipped.

(found: with production settings collectstatic failed, and every page was a 500 while
/healthz said ok — nothing ran the real configuration.)
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from core.tests.servers import ScratchDatabase
from core.tests.servers import manage as run_manage
from smoke.support import Browser, form_with, totp_code

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
START_TIMEOUT = 60  # seconds for /healthz to answer once gunicorn is started
MANAGE_TIMEOUT = 180  # seconds for migrate, seed_demo or collectstatic
PRACTITIONER = "practitioner2fa"  # seed_demo's account with a confirmed TOTP device
PRACTITIONER_KEY_HEX = "48656c6c6f21deadbeef"  # seed_demo.DEMO_TOTP_HEX
MANAGER = "manager"  # seed_demo's service manager: may import CSV files
MANAGER_KEY_HEX = "6e7974682d736d6f6b652d6d616e61676572"  # a TOTP key given to her here
PASSWORD = "nyth-demo-2026"  # seed_demo.DEMO_PASSWORD (synthetic accounts only)
# Settings the server must not inherit from the shell that runs the tests.
_SCRUBBED = (
    "NYTH_DEMO",
    "DEBUG",
    "NYTH_TESTING",
    "NYTH_REQUIRE_2FA",
    "NYTH_HTTPS",
    "NYTH_BEHIND_PROXY",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DATABASE_OWNER_URL",
    "DJANGO_SETTINGS_MODULE",
    "NYTH_STATIC_ROOT",
    "NYTH_BIND",
    "NYTH_WEB_WORKERS",
    "NYTH_ACCESS_LOG",
    "NYTH_ERROR_LOG",
    "ALLOWED_HOSTS",
    "SECRET_KEY",
    "NYTH_AUDIT_HMAC_KEY",
    "NYTH_AUDIT_HMAC_KEY_FILE",
    "NYTH_REDIS_URL",
    "NYTH_TASK_BACKEND",
    "NYTH_RATELIMIT_REDIS_URL",
    "NYTH_PUBLIC_REFERRALS_PER_HOUR",
    "NYTH_TASK_LEASE_SECONDS",
    "NYTH_TASK_HEARTBEAT_SECONDS",
    "NYTH_TASK_REAP_SECONDS",
    "NYTH_CRASH_AT",
)
TASK_BACKEND = os.environ.get("NYTH_SMOKE_TASK_BACKEND") or os.environ.get("NYTH_TASK_BACKEND") or "database"
REDIS_URL = "redis://127.0.0.1:6379/5"  # this suite's own Redis database, flushed at start and end
PUBLIC_REFERRALS_PER_HOUR = 4  # the public form's limit on the smoke server (smoke/test_proof.py)
# Short enough that a killed worker's task is recovered within a test, long enough for a loaded
# machine: the database worker's lease (heartbeat a quarter of it); RQ's heartbeat interval and
# maintenance run (a job is abandoned RQ's fixed 60 s after its last heartbeat, see ADR 007).
LEASE_SECONDS = 6
RQ_MONITORING_SECONDS = 2
RQ_MAINTENANCE_SECONDS = 3
WORKER_STOP_TIMEOUT = 30


@dataclass
class ProductionServer:
    url: str
    log_path: Path
    static_root: Path
    database: ScratchDatabase
    child_pk: int
    child_name: str
    worker: TaskWorker
    env: dict[str, str]

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"

    def wait_for_log(self, needle: str, timeout: float = 10) -> str:
        """Poll the server's log until ``needle`` appears (gunicorn writes it after responding)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log()
            if needle in text:
                return text
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} did not appear in the server log within {timeout} s:\n{self.log()[-3000:]}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(database_url: str, static_root: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _SCRUBBED}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "NYTH_DEMO": "0",
            "NYTH_HTTPS": "1",
            "NYTH_BEHIND_PROXY": "1",
            "SECRET_KEY": "smoke-only-secret-key-not-for-production-0123456789-abcdefghijklmnopqrstuvwxyz",
            # Production needs the audit trail's own key (the development key is refused there):
            # the worker seals with it, verify_audit after a restore checks with it (ADR 012).
            "NYTH_AUDIT_HMAC_KEY": "smoke:smoke-only-audit-key-not-for-production-0123456789",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "NYTH_STATIC_ROOT": str(static_root),
            # The seeded referrers and staff are invented: nothing may try to reach a mail server.
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "NYTH_PUBLIC_REFERRALS_PER_HOUR": str(PUBLIC_REFERRALS_PER_HOUR),
            "NYTH_TASK_BACKEND": TASK_BACKEND,
            "NYTH_TASK_LEASE_SECONDS": str(LEASE_SECONDS),
            "NYTH_TASK_REAP_SECONDS": "1",
            "NYTH_RQ_JOB_MONITORING_SECONDS": str(RQ_MONITORING_SECONDS),
            "NYTH_RQ_MAINTENANCE_SECONDS": str(RQ_MAINTENANCE_SECONDS),
        }
    )
    if TASK_BACKEND == "rq":
        env["NYTH_REDIS_URL"] = REDIS_URL  # the queue, the cache and the limiter's store
    return env


def _alive(pid: int) -> bool:
    """Running (a killed orphan stays a zombie until init reaps it, which is dead enough)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def flush_redis() -> None:
    """Empty this suite's Redis database (DB 5 only: other suites use the others)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5, socket_connect_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()


class TaskWorker:
    """The task worker process the settings name, in a session of its own so that a kill -9
    takes its children too (RQ runs each job in a forked "horse": killing only the parent would
    leave the job running, and prove nothing)."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.process: subprocess.Popen | None = None
        self.started = 0

    @property
    def command(self) -> list[str]:
        if TASK_BACKEND == "rq":
            return [sys.executable, "manage.py", "rqworker", "--with-scheduler", "default"]
        return [sys.executable, "manage.py", "run_worker", "--no-reload", "--interval", "0.2", "--no-startup-delay"]

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None, "the worker is already running"
        self.started += 1
        log_path = self.log_dir / f"worker-{self.started}.log"
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
                self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def _session(self) -> list[int]:
        """Every process of the worker's session. Not its process group: RQ's horse calls
        setpgrp(), so killing the group leaves the job running (found by this test)."""
        assert self.process is not None
        members = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended meanwhile
            if int(fields[3]) == self.process.pid:  # field 6 of /proc/PID/stat: the session id
                members.append(int(stat.parent.name))
        return members

    def kill(self) -> None:
        """SIGKILL the worker and all its children: nothing cleans up, as when a machine dies."""
        assert self.process is not None and self.process.poll() is None, "the worker is not running"
        members = self._session()
        for pid in members:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=WORKER_STOP_TIMEOUT)
        deadline = time.monotonic() + WORKER_STOP_TIMEOUT
        while any(Path(f"/proc/{pid}").exists() and _alive(pid) for pid in members):
            if time.monotonic() > deadline:
                raise AssertionError(f"worker processes {members} still alive after SIGKILL")
            time.sleep(0.05)  # the kernel reaping the children; bounded by the deadline

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # both workers finish the current task and stop
        try:
            self.process.wait(timeout=WORKER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.log_dir.glob("worker-*.log"))
        )


def manage(env: dict[str, str], *args: str) -> str:
    return run_manage(env, *args, timeout=MANAGE_TIMEOUT)


# The seed gives practitioner2fa (the account with a seeded authenticator) no caseload: put her
# in the care team of the first seeded child, so the test opens a record the seed made.
_JOIN_CARE_TEAM = """
import contextlib
import json
from accounts.models import User
from people.models import CareTeamMembership, Child
child = Child.objects.order_by("pk").first()
CareTeamMembership.objects.get_or_create(child=child, user=User.objects.get(username="practitioner2fa"), defaults={"role": "practitioner"})
# The service manager signs in with two factors too (production requires them): a device of her own.
from django_otp.plugins.otp_totp.models import TOTPDevice
TOTPDevice.objects.get_or_create(user=User.objects.get(username="manager"), name="smoke", defaults={"key": "%s", "confirmed": True})
print(json.dumps({"pk": child.pk, "name": f"{child.given_name} {child.family_name}"}))
""".replace("%s", MANAGER_KEY_HEX)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()  # gunicorn: graceful shutdown of the master and its workers
        try:
            process.wait(timeout=35)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_healthy(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    last = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited with {process.returncode}:\n{log_path.read_text(errors='replace')[-3000:]}"
            )
        try:
            response = requests.get(f"{url}/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=2)
            if response.status_code == 200:
                return
            last = f"HTTP {response.status_code}"
        except requests.RequestException as exc:
            last = str(exc)
        time.sleep(0.1)  # polling the port while gunicorn boots
    raise RuntimeError(f"gunicorn did not answer /healthz within {START_TIMEOUT} s ({last})")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductionServer]:
    if not GUNICORN.exists():
        raise RuntimeError(f"gunicorn is not installed at {GUNICORN}: run `make install`")
    workdir = tmp_path_factory.mktemp("smoke")
    static_root = workdir / "static"
    # On PostgreSQL, two roles as in production (ADR 011): migrations and grants as the owner,
    # everything else – the seed, gunicorn, the worker – as the application role, so every test
    # here proves its grants suffice.
    database = ScratchDatabase(workdir, roles=True)
    database.create()
    process: subprocess.Popen | None = None
    worker: TaskWorker | None = None
    if TASK_BACKEND == "rq":
        flush_redis()
    try:
        env = production_env(database.url, static_root)
        owner_env = {**env, "DATABASE_OWNER_URL": database.owner_url} if database.roles else env
        manage(owner_env, "migrate", "--noinput", "-v", "0")
        if database.roles:
            manage(owner_env, "database_roles")
        manage(env, "seed_demo", "--children", "20", "--seed", "1", "--no-progress", "--quiet-logins")
        child = json.loads(manage(env, "shell", "-c", _JOIN_CARE_TEAM).strip().splitlines()[-1])
        manage(env, "collectstatic", "--noinput", "-v", "0")
        for _attempt in range(3):  # another process may take the free port before gunicorn binds it
            port = _free_port()
            log_path = workdir / f"gunicorn-{port}.log"
            server_env = {**env, "NYTH_BIND": f"127.0.0.1:{port}", "NYTH_WEB_WORKERS": "2"}
            with log_path.open("wb") as log:
                process = subprocess.Popen(  # noqa: S603 - the installed gunicorn with our config
                    [str(GUNICORN), "-c", str(ROOT / "deploy" / "gunicorn.conf.py")],
                    cwd=ROOT,
                    env=server_env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            try:
                _wait_until_healthy(f"http://127.0.0.1:{port}", process, log_path)
                break
            except RuntimeError:
                _stop(process)
                if "Address already in use" not in log_path.read_text(errors="replace"):
                    raise
        else:  # pragma: no cover
            raise RuntimeError("could not start gunicorn on a free port")
        worker = TaskWorker(env, workdir)
        worker.start()
        yield ProductionServer(
            url=f"http://127.0.0.1:{port}",
            log_path=log_path,
            static_root=static_root,
            database=database,
            child_pk=child["pk"],
            child_name=child["name"],
            worker=worker,
            env=env,
        )
    finally:
        if worker is not None:
            worker.stop()
        if process is not None:
            _stop(process)
        if TASK_BACKEND == "rq":
            flush_redis()
        database.drop()
        shutil.rmtree(static_root, ignore_errors=True)


def sign_in(server: ProductionServer, username: str, key_hex: str, greeting: str) -> Browser:
    """Sign in through the real forms: user name and password, then the TOTP code computed from
    the account's device key, as an authenticator app would."""
    browser = Browser(server.url)
    page = browser.get("/en/account/sign-in/")
    assert page.status == 200, page.text[:2000]
    form = form_with(page.text, "username")
    assert form["fields"].get("csrfmiddlewaretoken"), "the sign-in form has no CSRF token"
    fields = {**form["fields"], "username": username, "password": PASSWORD}
    page = browser.post(form["action"] or "/en/account/sign-in/", fields)
    assert page.url.startswith("/en/account/two-factor/"), (
        f"not asked for a security code: {page.url}\n{page.text[:2000]}"
    )
    form = form_with(page.text, "token")
    page = browser.post(page.url, {**form["fields"], "token": totp_code(key_hex)})
    assert page.status == 200, page.text[:2000]
    assert page.url == "/en/", f"two-factor step did not land on the home page: {page.url} via {page.redirects}"
    assert greeting in page.text
    assert {"sessionid", "csrftoken"} <= browser.secure_cookies, browser.secure_cookies
    return browser


@pytest.fixture(scope="session")
def signed_in(server: ProductionServer) -> Browser:
    """practitioner2fa, signed in through the real forms with her seeded device. Once per
    session (a code is accepted once)."""
    return sign_in(server, PRACTITIONER, PRACTITIONER_KEY_HEX, "Hello, Cerys Morgan")


@pytest.fixture(scope="session")
def manager_signed_in(server: ProductionServer) -> Browser:
    """The service manager (she may import CSV files), signed in with the device given above."""
    return sign_in(server, MANAGER, MANAGER_KEY_HEX, "Hello, Mererid Owen")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``smoke_full`` (minutes, not seconds) run only with NYTH_SMOKE_FULL=1: they
    are deselected otherwise – reported as deselected, never as skipped."""
    if os.environ.get("NYTH_SMOKE_FULL") == "1":
        return
    deselected = [item for item in items if item.get_closest_marker("smoke_full")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("smoke_full")]
