"""`make serve` (tools/serve.py): gunicorn and the task worker start together and Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> set[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return {int(p) for p in path.read_text().split()} if path.exists() else set()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def test_serve_runs_web_and_worker_and_ctrl_c_stops_both(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "NYTH_TESTING", "DATABASE_URL")}
    env.update(
        {
            "NYTH_DEMO": "1",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
            "NYTH_BIND": f"127.0.0.1:{port}",
            "NYTH_WEB_WORKERS": "1",
            "NYTH_TASK_BACKEND": "database",
            "PYTHONUNBUFFERED": "1",
        }
    )
    # The worker needs only its own tables: the task queue's and its lease (jobs), which it
    # renews on every beat – a slow machine reaches the first beat before the test ends.
    for app in ("django_tasks_database", "jobs"):
        subprocess.run(
            [sys.executable, "manage.py", "migrate", app, "-v", "0"],
            cwd=ROOT,
            env=env,
            timeout=120,
            check=True,
        )
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "tools/serve.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    children: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            children = _children(process.pid)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    if response.status == 200 and len(children) == 2:
                        break
            except OSError:
                pass
            time.sleep(0.1)  # polling while gunicorn and the worker boot
        else:
            raise AssertionError("serve did not come up:\n" + (tmp_path / "serve.log").read_text())
        commands = {Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode() for pid in children}
        assert any("gunicorn" in c for c in commands) and any("run_worker" in c for c in commands), commands
        process.send_signal(signal.SIGINT)  # Ctrl-C
        assert process.wait(timeout=60) == 0
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in children), "a child outlived serve"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        for pid in children:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        log.close()
