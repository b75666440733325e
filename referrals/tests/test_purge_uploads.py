"""Uploaded CSV files are personal data: deleted N days after their import, the report kept."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from referrals.models import ImportJob

pytestmark = pytest.mark.django_db


def _job(south, manager, *, finished_days_ago):
    finished = None if finished_days_ago is None else timezone.now() - timedelta(days=finished_days_ago)
    return ImportJob.objects.create(
        service=south,
        uploaded_by=manager,
        filename="list.csv",
        mode="valid_only",
        data=b"given_name\nAnna\n",
        status="done" if finished else "importing",
        finished_at=finished,
        rows_total=1,
        created=1,
        errors=[[3, "nhs_number", "Enter a valid NHS number"]],
    )


def test_files_are_deleted_after_the_retention_period_and_the_report_is_kept(south, manager, settings):
    settings.NYTH_UPLOAD_RETENTION_DAYS = 7
    old, recent, running = (
        _job(south, manager, finished_days_ago=8),
        _job(south, manager, finished_days_ago=6),
        _job(south, manager, finished_days_ago=None),
    )
    out = io.StringIO()
    call_command("purge_uploads", stdout=out)
    assert "Deleted 1 uploaded file(s) older than 7 day(s)." in out.getvalue()
    old.refresh_from_db(), recent.refresh_from_db(), running.refresh_from_db()
    assert old.data is None and old.purged_at is not None
    assert (old.created, old.rows_total, old.errors) == (1, 1, [[3, "nhs_number", "Enter a valid NHS number"]])
    assert bytes(recent.data) == b"given_name\nAnna\n" and recent.purged_at is None
    assert running.data is not None  # still being imported: never deleted under the worker
    settings.NYTH_UPLOAD_RETENTION_DAYS = 5
    call_command("purge_uploads", stdout=io.StringIO())
    recent.refresh_from_db()
    assert recent.data is None
