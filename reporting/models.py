"""Exports made in the background (``reporting.tasks``): who asked, for what, how far it has got,
and the file once it is made – kept for the person who asked (or, for a quarterly return the
service made itself, the service's managers) until it expires."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportKind(models.TextChoices):
    DOWNLOAD = "download", _("Export")
    QUARTERLY = "quarterly", _("Quarterly return")


class ExportJobQuerySet(models.QuerySet["ExportJob"]):
    def visible_to(self, user: Any) -> ExportJobQuerySet:
        """The exports ``user`` may follow and download: those they asked for, and the quarterly
        returns of their own service if they manage it. A file is never shared further."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        from accounts.models import Role

        mine = models.Q(requested_by=user)
        if getattr(user, "role", "") == Role.SERVICE_MANAGER and user.organisation_id:
            mine |= models.Q(requested_by__isnull=True, kind=ExportKind.QUARTERLY, service_id=user.organisation_id)
        return self.filter(mine)


class ExportJob(models.Model):
    """One export. ``content`` is written once, with ``status`` DONE, in one UPDATE: a worker
    killed part-way leaves no half file, only a job that is re-run (or marked failed)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=ExportKind.choices, default=ExportKind.DOWNLOAD)
    #: Idempotency of scheduled returns: "quarterly:2026Q3:service:12:cy" (unique when set).
    key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="export_jobs"
    )
    #: The service a quarterly return is for (its managers may download it).
    service = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="export_jobs"
    )
    period = models.CharField(max_length=30)
    #: ``reporting.filters.Filters`` as a dict (ids and codes only).
    filters = models.JSONField(default=dict)
    area_label = models.CharField(max_length=255, blank=True)
    format = models.CharField(max_length=10)
    language = models.CharField(max_length=10, default="en")
    status = models.CharField(max_length=20, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    steps_done = models.PositiveIntegerField(default=0)
    steps_total = models.PositiveIntegerField(default=1)
    runs = models.PositiveIntegerField(default=0)
    content = models.BinaryField(null=True)
    filename = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    made_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    expires_at = models.DateTimeField(null=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.period} {self.format} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return min(99, 100 * self.steps_done // max(self.steps_total, 1))

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()
