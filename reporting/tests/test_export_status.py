"""The export progress page's JSON status (polled by ``reporting/export-progress.js``): the
page's access rule, its texts in the reader's language, the link once ready; the page itself
has the live region, the script file and the button, and never a refreshing meta tag."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from reporting.models import ExportJob, ExportStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(commissioner):
    return ExportJob.objects.create(requested_by=commissioner, period="2026Q1", format="xlsx", steps_total=8,
                                    steps_done=2, status=ExportStatus.RUNNING)  # fmt: skip


def _status(client, job, language="en"):
    with translation.override(language):
        url = reverse("reporting_exports:job_status", kwargs={"job_pk": job.pk})
    return client.get(url)


def test_the_status_follows_the_job_and_gives_the_link_when_ready(client_for, commissioner, running):
    client = client_for(commissioner)
    before = AuditEvent.objects.count()
    response = _status(client, running)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert (data["status"], data["percent"], data["finished"], data["download_url"]) == ("running", 25, False, None)
    assert data["progress_text"] == "25% done"
    ExportJob.objects.filter(pk=running.pk).update(steps_done=6)
    assert _status(client, running).json()["percent"] == 75
    ExportJob.objects.filter(pk=running.pk).update(
        status=ExportStatus.DONE, steps_done=8, content=b"PK\x03\x04", size=2048, filename="nyth-2026Q1.xlsx",
        expires_at=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC),
    )  # fmt: skip
    data = _status(client, running).json()
    assert data["finished"] and data["percent"] == 100 and data["message"] == "Your export is ready"
    assert data["download_url"] == reverse("reporting_exports:download", kwargs={"job_pk": running.pk})
    assert data["download_text"].startswith("Download nyth-2026Q1.xlsx (2.0")
    # Like the page, polling it is not audited (the download is).
    assert AuditEvent.objects.count() == before


def test_the_status_is_in_the_readers_language_and_says_when_it_failed_or_expired(client_for, commissioner, running):
    client = client_for(commissioner)
    ExportJob.objects.filter(pk=running.pk).update(status=ExportStatus.FAILED)
    data = _status(client, running, "cy").json()
    assert data["finished"] and data["download_url"] is None
    assert data["progress_text"] == "25% wedi'i wneud"
    assert data["message"] == "Methodd yr allforio"
    past = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    ExportJob.objects.filter(pk=running.pk).update(status=ExportStatus.DONE, content=None, expires_at=past)
    data = _status(client, running).json()
    assert data["download_url"] is None and data["message"] == "This export has expired"


def test_only_who_may_follow_the_job_gets_its_status(client_for, commissioner, manager, alice, running):
    for user in (manager, alice):
        assert _status(client_for(user), running).status_code == 404
    assert _status(client_for(commissioner), running).status_code == 200


def test_the_page_polls_from_a_file_keeps_its_button_and_never_refreshes_itself(client_for, commissioner, running):
    body = (
        client_for(commissioner).get(reverse("reporting_exports:job", kwargs={"job_pk": running.pk})).content.decode()
    )
    status_url = reverse("reporting_exports:job_status", kwargs={"job_pk": running.pk})
    assert 'aria-live="polite"' in body and f'data-nyth-export-status="{status_url}"' in body
    assert "reporting/export-progress" in body and "Check progress" in body
    assert 'http-equiv="refresh"' not in body.lower()
    main = body.split("<main", 1)[1].split("</main>", 1)[0]
    assert all("src=" in tag.split(">", 1)[0] for tag in main.split("<script")[1:])  # no inline script
