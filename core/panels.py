"""What an app contributes to the home page: a *panel* is a typed function that, for the person
asking, returns the template to include and its context – or ``None`` when it has nothing for
them (wrong role, nothing waiting). The type lives here, at the bottom of the stack, so each app
can write its own ``panels.py`` without importing the ``dashboard`` app that renders them
(docs/architecture.md, "Layers")."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.http import AuthenticatedHttpRequest


@dataclass(frozen=True)
class PanelContext:
    """One panel as the page renders it: ``{% include template %}`` with ``panel.context``."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


Panel = Callable[[AuthenticatedHttpRequest], PanelContext | None]
