"""Errors the domain services of every app share (raised in ``services.py``, answered in views)."""

from __future__ import annotations

from typing import Any


class StaleEditError(Exception):
    """Someone else saved this record after the form was opened: refuse rather than overwrite."""

    def __init__(self, current: Any) -> None:
        super().__init__("stale edit")
        self.current = current
