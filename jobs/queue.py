"""The one way Nyth enqueues background work: after the current transaction commits.

Enqueued inside the request's transaction, a task could be picked up by a worker before the
rows it needs are committed (it would find nothing), or be enqueued for a change that then rolls
back (on RQ the job is already in Redis). ``transaction.on_commit`` runs the enqueue only once
the change is durable; outside a transaction it enqueues at once.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue ``task`` (a django-tasks ``@task``) with these arguments once the transaction
    commits. Arguments must be JSON-serialisable (ids, not model instances)."""
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs), robust=False)
