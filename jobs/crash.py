"""Named crash points for the recovery tests.

``crash_point("import:after_batch")`` kills the current process at once (SIGKILL: no ``finally``,
no ``atexit``, no rollback courtesy – exactly what the OOM killer or a pulled plug does) when the
environment variable ``NYTH_CRASH_AT`` names that point; it is a no-op otherwise. ``name@N``
crashes on the N-th time the point is reached in this process (``import:after_batch@2``: after
the second batch has committed). Production never sets the variable.
"""

from __future__ import annotations

import os
import signal

_hits: dict[str, int] = {}


def crash_point(name: str) -> None:
    wanted = os.environ.get("NYTH_CRASH_AT", "")
    if not wanted:
        return
    point, _sep, nth = wanted.partition("@")
    if point != name:
        return
    _hits[name] = _hits.get(name, 0) + 1
    if _hits[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
