"""`make serve`: gunicorn (deploy/gunicorn.conf.py) and the task worker side by side.

The worker follows NYTH_TASK_BACKEND: `manage.py run_worker` (db_worker with a lease and the
reaper) for the database queue (the default), `manage.py rqworker --with-scheduler` for RQ. Ctrl-C (or SIGTERM) stops both; if
either exits on its own the other is stopped too, so a half-running service is never left
behind. In production, systemd runs the two as separate units instead (deploy/*.service).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOP_TIMEOUT = 35  # seconds: gunicorn's graceful timeout (30) plus a little


def worker_command(backend: str) -> list[str]:
    manage = [sys.executable, str(ROOT / "manage.py")]
    if backend == "rq":
        return [*manage, "rqworker", "--with-scheduler", "default"]
    if backend == "database":
        return [*manage, "run_worker", "--queue-name", "default"]
    raise SystemExit(f"NYTH_TASK_BACKEND must be 'database' or 'rq', not {backend!r}")


def web_command() -> list[str]:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return [str(gunicorn), "-c", str(ROOT / "deploy" / "gunicorn.conf.py")]


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for process in processes:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def main() -> int:
    backend = os.environ.get("NYTH_TASK_BACKEND", "database")
    commands = {"web": web_command(), "worker": worker_command(backend)}
    processes: list[subprocess.Popen] = []

    def on_signal(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        for name, command in commands.items():
            print(f"serve: starting {name}: {' '.join(command)}", flush=True)  # noqa: T201
            # Our own fixed commands; new session so a terminal's Ctrl-C reaches us only, and
            # we stop the children in order.
            processes.append(subprocess.Popen(command, cwd=ROOT, start_new_session=True))  # noqa: S603
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)  # supervising: nothing to poll but the children's exit
        exited = next(name for name, process in zip(commands, processes, strict=True) if process.poll() is not None)
        print(f"serve: {exited} exited; stopping the rest", flush=True)  # noqa: T201
        return 1
    except KeyboardInterrupt:
        print("serve: stopping", flush=True)  # noqa: T201
        return 0
    finally:
        _stop(processes)


if __name__ == "__main__":
    sys.exit(main())
