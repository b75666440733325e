"""Nyth's task worker: django-tasks-db's ``db_worker`` with a lease and the reaper.

    manage.py run_worker            # what `make demo`, `make serve` and the systemd unit run

A thread beats the worker's lease every NYTH_TASK_HEARTBEAT_SECONDS (also while a long task
runs) and reaps abandoned tasks every NYTH_TASK_REAP_SECONDS (``jobs.recovery``). The main
thread is db_worker's own loop: claim a task, run it, record its result. SIGTERM finishes the
current task, then stops and gives the lease back. Another thread is the audit trail's
sequencer: every NYTH_AUDIT_SEAL_SECONDS it chains recorded events (``audit.chain``, ADR 012).
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import DatabaseError, connection
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from audit.chain import ChainTailMismatch, hmac_keys, seal_pending
from jobs import recovery

logger = logging.getLogger("jobs.worker")


class LeasedWorker(Worker):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._stop = threading.Event()

    def _keep_lease(self) -> None:
        heartbeat = float(settings.NYTH_TASK_HEARTBEAT_SECONDS)
        reap_every = float(settings.NYTH_TASK_REAP_SECONDS)
        since_reap = reap_every  # reap once at start: a restarted worker picks up its predecessor's task
        try:
            while not self._stop.is_set():
                try:
                    recovery.beat(self.worker_id)
                    if since_reap >= reap_every:
                        since_reap = 0.0
                        recovery.reap()
                except DatabaseError:
                    # The database is away or locked: beat again next time. If it stays away
                    # longer than a lease, our task is re-queued – at least once, never lost.
                    logger.warning("worker %s could not renew its lease", self.worker_id, exc_info=True)
                    connection.close()
                self._stop.wait(heartbeat)
                since_reap += heartbeat
        finally:
            connection.close()

    def _seal_audit(self) -> None:
        # Short transactions of its own, apart from any task: a long task never delays the chain.
        every = float(settings.NYTH_AUDIT_SEAL_SECONDS)
        sweep_every = float(settings.NYTH_AUDIT_SWEEP_SECONDS)
        since_sweep = sweep_every  # sweep first: events a stopped worker left unchained
        try:
            while not self._stop.is_set():
                try:
                    # The frequent pass is an index range; the sweep (an anti-join over the last
                    # NYTH_AUDIT_SWEEP_HOURS) picks up events whose transaction committed late.
                    if since_sweep >= sweep_every:
                        since_sweep = 0.0
                        seal_pending(scope="recent")
                    else:
                        seal_pending(scope="new")
                except ChainTailMismatch:
                    # Someone changed the chain's end: never seal onto it; tasks still run.
                    logger.error("audit chain head does not match its last link: not sealing", exc_info=True)
                except DatabaseError:
                    # Events wait unsealed (nothing is lost); verify_audit counts them.
                    logger.warning("worker %s could not seal audit events", self.worker_id, exc_info=True)
                    connection.close()
                self._stop.wait(every)
                since_sweep += every
        finally:
            connection.close()

    def run(self) -> None:
        # The lease exists before the first claim, so no task of ours is ever seen without one.
        recovery.beat(self.worker_id)
        hmac_keys()  # fails loudly here, at start, when the audit key is not configured
        keeper = threading.Thread(target=self._keep_lease, name="nyth-lease", daemon=True)
        keeper.start()
        sealer = threading.Thread(target=self._seal_audit, name="nyth-audit-sequencer", daemon=True)
        sealer.start()
        try:
            super().run()
        finally:
            self._stop.set()
            keeper.join(timeout=5)
            sealer.join(timeout=5)
            try:
                recovery.release(self.worker_id)
            except DatabaseError:
                logger.warning("worker %s could not release its lease", self.worker_id)


class Command(DbWorkerCommand):
    help = "Run a database task worker with a lease, re-queueing tasks of killed workers."

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        self.configure_logging(verbosity)
        worker = LeasedWorker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
        )
        worker.configure_signals()
        worker.run()
