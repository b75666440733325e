"""The small tables background work needs beside django-tasks' own queue table."""

from __future__ import annotations

from django.db import models


class WorkerLease(models.Model):
    """A running worker's lease: it beats every few seconds while alive (even mid-task, from a
    thread of its own). A task still "running" under a worker whose lease has expired was
    abandoned – the worker was killed – and the reaper re-queues it (``jobs.recovery``)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True)
    started_at = models.DateTimeField(auto_now_add=True)
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class SentEmail(models.Model):
    """The sent-marker of one email: one row per (event, recipient), written after the send.
    A task that runs again (after a crash, or enqueued twice) skips recipients already marked,
    so each email goes out at least once and, outside the crash window, exactly once."""

    event_key = models.CharField(max_length=200)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=255, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event_key", "recipient"], name="jobs_sentemail_once")]

    def __str__(self) -> str:
        return f"{self.event_key} → {self.recipient}"
