"""Browser journeys against a real Nyth server.

Once per test session this starts ``manage.py runserver`` as a separate process with
production-like settings (two-factor mandatory, CSP, no NYTH_DEMO) on a free port, over a
fresh database (a temporary SQLite file, or a throwaway PostgreSQL database when
``DATABASE_URL`` points at PostgreSQL), seeded with ``seed_demo`` and ``seed_referrals``.
Tests then drive Debian's Chromium through Playwright and talk to the server only through the
browser (and plain HTTP).

Without Chromium every browser test is skipped and the terminal summary says so loudly.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from core.tests.servers import ScratchDatabase, manage
from e2e.support import (
    HOME_URL,
    PRACTITIONER_2FA_KEY_HEX,
    Authenticator,
    check_accessibility,
    mark_without_javascript,
    pages_left_unchecked,
    sign_in,
    watch_page_loads,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERVER_START_TIMEOUT = 60  # seconds for /healthz to answer 200
MANAGE_TIMEOUT = 180  # seconds for migrate, seed_demo or seed_referrals
# Settings and switches the server must not inherit from the shell running the tests.
_SCRUBBED_ENV = ("NYTH_DEMO", "DEBUG", "NYTH_REQUIRE_2FA", "NYTH_BEHIND_PROXY", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL")

_NOT_RUN = pytest.StashKey[tuple[str, int]]()
_FAILED = pytest.StashKey[bool]()
_ARTIFACTS = pytest.StashKey[list[Path]]()


# --- Chromium present? ------------------------------------------------------------------------


def find_chromium() -> str | None:
    """Debian's Chromium. ``NYTH_E2E_CHROMIUM`` names another binary (or, set to a path that
    does not exist, shows what happens on a machine without Chromium)."""
    override = os.environ.get("NYTH_E2E_CHROMIUM")
    if override:
        return override if os.access(override, os.X_OK) else None
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium")


def _why_browser_tests_cannot_run() -> str | None:
    if find_chromium() is None:
        where = os.environ.get("NYTH_E2E_CHROMIUM") or f"{CHROMIUM} or `chromium` on PATH"
        return f"Chromium is not installed (looked for {where})"
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:  # pragma: no cover - both are in requirements-dev.txt
        return f"a Python package is missing ({exc}); run `make install`"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _why_browser_tests_cannot_run()
    if reason is None:
        return
    browser_items = [item for item in items if item.get_closest_marker("browser")]
    skip = pytest.mark.skip(reason=f"browser tests did NOT run: {reason}. Install it with `apt-get install chromium`.")
    for item in browser_items:
        item.add_marker(skip)
    config.stash[_NOT_RUN] = (reason, len(browser_items))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    not_run = config.stash.get(_NOT_RUN, None)
    if not_run is not None and not_run[1]:
        reason, count = not_run
        tr = terminalreporter
        tr.write_sep("!", "BROWSER TESTS DID NOT RUN", red=True, bold=True)
        tr.write_line(f"{count} browser journey test(s) were SKIPPED: {reason}.", red=True, bold=True)
        tr.write_line(
            "Nothing was checked in a real browser: no sign-in journeys, no axe accessibility checks.", red=True
        )
        tr.write_line("Install Debian's Chromium and run the tests again:", red=True)
        tr.write_line("    apt-get install chromium        # as root; provides /usr/bin/chromium", red=True, bold=True)
        tr.write_line("(Never `playwright install`: the suite uses the system Chromium.)", red=True)
        tr.write_sep("!", red=True, bold=True)
    artifacts = config.stash.get(_ARTIFACTS, [])
    if artifacts:
        terminalreporter.write_sep("-", "browser journey artefacts (failed tests)")
        for path in artifacts:
            terminalreporter.write_line(str(path))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True
    return report


# --- The server under test --------------------------------------------------------------------


@dataclass
class NythServer:
    url: str
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)

    def manage(self, *args: str) -> str:
        """Run a management command against the server's database (e.g. ``run_worker --batch``:
        the server runs no task worker of its own, so a journey decides when background work runs);
        returns what it printed."""
        return _manage(self.env, *args)

    def enrolment_code(self, username: str) -> str:
        """A one-time enrolment code for a seeded account, as an operator would issue it
        (``issue_enrolment_code``): setting up two-factor needs one besides the password."""
        output = self.manage("issue_enrolment_code", "--username", username)
        found = re.search(r"not stored\): ([A-Z0-9-]+)", output)
        assert found, output
        return found.group(1)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _SCRUBBED_ENV}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": "e2e-only-secret-key-not-for-production-0123456789-abcdefghijklmnopqrstuvwxyz",
            "NYTH_HTTPS": "0",
            "NYTH_TESTING": "1",  # WhiteNoise serves static files from the finders (no collectstatic)
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "NYTH_TASK_BACKEND": "database",  # tasks wait in the database until a journey runs a worker
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    return manage(env, *args, timeout=MANAGE_TIMEOUT)


def _wait_until_healthy(server: NythServer, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The Nyth server exited with {process.returncode} while starting:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as response:  # nosec B310  # http://127.0.0.1 built by this harness
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last_error = str(exc)
        time.sleep(0.1)  # polling the port, not waiting on the page under test
    raise RuntimeError(
        f"The Nyth server did not answer /healthz within {SERVER_START_TIMEOUT} s ({last_error}):\n{server.log_tail()}"
    )


def _check_assets(server: NythServer) -> None:
    """Without the compiled GOV.UK Frontend the pages have no styles, and axe's colour checks
    would pass or fail for the wrong reason."""
    url = f"{server.url}/static/govuk/nyth.css"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # nosec B310  # http://127.0.0.1 built by this harness
            if response.status == 200:
                return
    except urllib.error.URLError:
        pass
    raise RuntimeError(f"{url} is not served: build the front end first (`make assets`, i.e. `npm run build`).")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def nyth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NythServer]:
    """A real Nyth server in its own process, over a fresh seeded database (once per session)."""
    workdir = tmp_path_factory.mktemp("e2e-server")
    database = ScratchDatabase(workdir, label="e2e")
    database.create()
    process: subprocess.Popen[bytes] | None = None
    try:
        env = _server_env(database.url)
        _manage(env, "migrate", "--noinput", "-v", "0")
        _manage(env, "seed_demo", "--children", "40", "--seed", "7", "--no-progress", "--quiet-logins")
        _manage(env, "seed_referrals", "--seed", "7")  # referrals awaiting a decision, the service directory
        _manage(env, "seed_assessments")  # assessments written by several agencies, consents, a restriction
        _manage(env, "seed_support")  # the nest, plans, safety plans, episodes, staff records, contacts
        for _attempt in range(3):  # another process may take the free port before the server binds it
            port = _free_port()
            # Passkeys are made at localhost (a relying party is never an IP address: ADR 020).
            env["NYTH_WEBAUTHN_ORIGINS"] = f"http://localhost:{port}"
            server = NythServer(url=f"http://127.0.0.1:{port}", log_path=workdir / f"runserver-{port}.log", env=env)
            with server.log_path.open("wb") as log:
                process = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
                    [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            try:
                _wait_until_healthy(server, process)
                break
            except RuntimeError:
                _stop(process)
                if "already in use" not in server.log_tail():
                    raise
        else:  # pragma: no cover
            raise RuntimeError("Could not start the Nyth server on a free port")
        _check_assets(server)
        yield server
    finally:
        if process is not None:
            _stop(process)
        database.drop()


# --- The browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless (never a Playwright-downloaded browser)."""
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    assert executable is not None  # browser tests are skipped at collection otherwise
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def authenticator(nyth_server: NythServer) -> Authenticator:
    """The tests' authenticator app, shared by the whole session: it remembers every secret it
    has set up, so each seeded account sets up two-factor once per server, whichever test
    signs in first, and never offers the same code twice."""
    app = Authenticator(enrolment_codes=nyth_server.enrolment_code)
    app.add_hex("practitioner2fa", PRACTITIONER_2FA_KEY_HEX)  # seeded with a confirmed device
    return app


@pytest.fixture
def new_page(
    browser: Browser, nyth_server: NythServer, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Page]]:
    """``new_page(javascript=True, storage_state=None)``: a page in a fresh browser context.
    After a failed test, each page's screenshot and HTML are kept and listed in the summary."""
    contexts = []

    def make(*, javascript: bool = True, storage_state: dict[str, Any] | None = None) -> Page:
        context = browser.new_context(
            base_url=nyth_server.url,
            java_script_enabled=javascript,
            storage_state=storage_state,
            locale="en-GB",
            timezone_id="Europe/London",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(10_000)
        context.set_default_navigation_timeout(15_000)
        if not javascript:
            mark_without_javascript(context)
        contexts.append(context)
        page = context.new_page()
        watch_page_loads(page)
        return page

    yield make

    failed = request.node.stash.get(_FAILED, False)
    unchecked = [url for context in contexts for page in context.pages for url in pages_left_unchecked(page)]
    for number, context in enumerate(contexts):
        if failed:
            folder = tmp_path_factory.getbasetemp() / "e2e-artifacts"
            folder.mkdir(exist_ok=True)
            stem = re.sub(r"[^\w.-]+", "_", request.node.name)
            for index, page in enumerate(context.pages):
                with contextlib.suppress(Exception):
                    shot = folder / f"{stem}-{number}-{index}.png"
                    page.screenshot(path=str(shot), full_page=True)
                    (folder / f"{stem}-{number}-{index}.html").write_text(page.content())
                    request.config.stash.setdefault(_ARTIFACTS, []).append(shot)
        context.close()
    if failed:
        sys.stderr.write(f"\nNyth server log (last lines):\n{nyth_server.log_tail()}\n")
    elif unchecked:
        pytest.fail(f"pages visited without an accessibility check (call check_accessibility): {unchecked}")


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A JavaScript-enabled page in a fresh browser context."""
    return new_page()


@pytest.fixture(scope="session")
def signed_in_states() -> dict[str, dict[str, Any]]:
    """Cookies of sessions already signed in this test session, by user name."""
    return {}


@pytest.fixture
def signed_in_page(
    new_page: Callable[..., Page], authenticator: Authenticator, signed_in_states: dict[str, dict[str, Any]]
) -> Callable[[str], Page]:
    """``signed_in_page(username)``: a page on the home page, signed in with two-factor.

    The first call for an account signs in through the browser (setting up two-factor if the
    account has none yet); later calls, in any test, reuse that session's cookies, so journeys
    need no second code from the same authenticator (and no wait for the next 30 s window).
    Journeys that sign out must sign in with ``e2e.support.sign_in`` instead.
    """

    def make(username: str) -> Page:
        state = signed_in_states.get(username)
        if state is None:
            page = new_page()
            sign_in(page, authenticator, username)
            signed_in_states[username] = page.context.storage_state()
            return page
        page = new_page(storage_state=state)
        page.goto("/en/")
        page.wait_for_url(HOME_URL)
        check_accessibility(page)
        return page

    return make
