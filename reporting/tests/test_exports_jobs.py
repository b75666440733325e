"""Exports made in the background: the page, progress, download (only by who asked; audited),
failure, ``manage.py report`` giving the same bytes, and the quarterly return's day and
idempotency."""

from __future__ import annotations

import datetime
import types

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django_tasks import TaskResultStatus

from accounts.models import Organisation, OrganisationType
from audit.models import AuditEvent
from episodes.models import Episode, EpisodeEvent
from people.tests.factories import ChildFactory
from reporting import exports, periods, tasks
from reporting.export_access import export_areas
from reporting.filters import Filters
from reporting.models import ExportJob, ExportKind, ExportStatus

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def region(commissioner):
    return commissioner.organisation


@pytest.fixture
def supported(south, alice, region):
    south.region = region
    south.save()
    for _ in range(6):
        kid = ChildFactory(service=south)
        episode = Episode.objects.create(child=kid, opened_on=D(2026, 4, 1), opened_from="referral", opened_by=alice)
        EpisodeEvent.objects.create(episode=episode, kind="opened", on=D(2026, 4, 1), recorded_by=alice)
    return south


def _start(client, **data):
    return client.post(reverse("reporting_exports:start"), {"period": "2026Q1", "format": "xlsx", **data})


def test_a_commissioner_exports_their_region_follows_progress_and_downloads(
    client_for, commissioner, region, supported, django_capture_on_commit_callbacks
):
    client = client_for(commissioner)
    page = client.get(reverse("reporting_exports:start"))
    assert page.status_code == 200 and f"region:{region.pk}" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = _start(client, area=f"region:{region.pk}")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{job.pk}/")
    assert job.status == ExportStatus.DONE and job.filters["region_id"] == region.pk
    assert job.steps_done == job.steps_total and job.percent == 100
    page = client.get(reverse("reporting_exports:job", kwargs={"job_pk": job.pk}))
    assert "export-download" in page.content.decode()
    download = client.get(reverse("reporting_exports:download", kwargs={"job_pk": job.pk}))
    assert download.status_code == 200 and download.content == bytes(job.content)
    assert download["Content-Disposition"] == 'attachment; filename="nyth-2026Q1.xlsx"'
    exported = AuditEvent.objects.get(action="export", object_id=str(job.pk))
    assert exported.actor == commissioner
    assert exported.detail["period"] == "2026Q1" and exported.detail["format"] == "xlsx"
    assert exported.detail["filters"]["region_id"] == region.pk
    assert AuditEvent.objects.filter(action="create", object_id=str(job.pk)).count() == 1


def test_nobody_else_can_see_or_download_it(client_for, commissioner, region, manager, alice, supported):
    job = tasks.start_export(user=commissioner, period=periods.quarter(2026, 1), filters=Filters(region_id=region.pk),
                             area_label="x", fmt="csv", language="en")  # fmt: skip
    tasks.run_export.func(str(job.pk))
    for user in (manager, alice):
        client = client_for(user)
        assert client.get(reverse("reporting_exports:job", kwargs={"job_pk": job.pk})).status_code == 404
        assert client.get(reverse("reporting_exports:download", kwargs={"job_pk": job.pk})).status_code == 404
    assert client_for(alice).get(reverse("reporting_exports:start")).status_code == 404  # a practitioner: no exports


def test_a_commissioner_cannot_export_an_area_outside_their_region(client_for, commissioner, north, supported):
    keys = {a.key for a in export_areas(commissioner)}
    # The same areas as the report pages (reporting.access): the region and its authorities, no service.
    assert f"region:{supported.region_id}" in keys and not any(k.startswith("service:") for k in keys)
    response = _start(client_for(commissioner), area=f"service:{north.pk}")
    assert response.status_code == 200 and "Choose one of the options" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_the_page_shows_progress_and_the_file_expires(client_for, commissioner, region):
    job = ExportJob.objects.create(requested_by=commissioner, period="2026Q1", format="xlsx", steps_total=6,
                                   steps_done=3, status=ExportStatus.RUNNING)  # fmt: skip
    page = client_for(commissioner).get(reverse("reporting_exports:job", kwargs={"job_pk": job.pk}))
    assert "50% done" in page.content.decode() and 'value="50"' in page.content.decode()
    past = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.DONE, content=b"x", expires_at=past)
    assert tasks.purge_expired() == 1
    assert ExportJob.objects.get(pk=job.pk).content is None
    download = client_for(commissioner).get(reverse("reporting_exports:download", kwargs={"job_pk": job.pk}))
    assert download.status_code == 404


def test_a_failed_task_reports_failure_and_keeps_no_half_file(client_for, commissioner, region, monkeypatch):
    job = tasks.start_export(user=commissioner, period=periods.quarter(2026, 1), filters=Filters(region_id=region.pk),
                             area_label="x", fmt="pdf", language="en")  # fmt: skip

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "render", broken)
    with pytest.raises(RuntimeError):
        tasks.run_export.func(str(job.pk))
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and job.content is None and job.size == 0
    page = client_for(commissioner).get(reverse("reporting_exports:job", kwargs={"job_pk": job.pk}))
    assert "export-failed" in page.content.decode() and "export-download" not in page.content.decode()


def test_a_task_given_up_after_its_worker_was_killed_marks_the_job_failed(commissioner):
    job = ExportJob.objects.create(requested_by=commissioner, period="2026Q1", format="xlsx", steps_total=6,
                                   steps_done=2, status=ExportStatus.RUNNING)  # fmt: skip
    result = types.SimpleNamespace(status=TaskResultStatus.FAILED, task=tasks.run_export, args=[str(job.pk)])
    tasks._export_task_failed(sender=None, task_result=result)  # what the reaper's task_finished calls
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and job.content is None


def test_a_killed_run_started_again_makes_one_whole_file(commissioner, region, supported):
    job = tasks.start_export(user=commissioner, period=periods.quarter(2026, 1), filters=Filters(region_id=region.pk),
                             area_label="x", fmt="csv", language="en")  # fmt: skip
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, steps_done=3, runs=1)  # as left by a kill
    tasks.run_export.func(str(job.pk))
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.runs == 2
    expected = exports.to_csv(tasks.build_report(periods.quarter(2026, 1), Filters(region_id=region.pk)),
                              language="en", made_at=job.created_at)  # fmt: skip
    assert bytes(job.content) == expected


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_manage_py_report_writes_the_same_bytes_as_the_download(commissioner, region, supported, tmp_path, fmt):
    job = tasks.start_export(user=commissioner, period=periods.quarter(2026, 1), filters=Filters(region_id=region.pk),
                             area_label="x", fmt=fmt, language="cy")  # fmt: skip
    tasks.run_export.func(str(job.pk))
    job.refresh_from_db()
    out = tmp_path / f"r.{fmt}"
    call_command("report", period="2026Q1", region=region.code, format=fmt, language="cy", out=str(out),
                 made_at=job.created_at.isoformat())  # fmt: skip
    assert out.read_bytes() == bytes(job.content)


def test_the_quarterly_return_is_made_on_the_first_working_day_after_the_quarter(settings):
    # 2026Q3 (financial year) ends on Thursday 31 December 2026; 1 January 2027 is a bank holiday
    # (Friday), so the return is made on Monday 4 January.
    assert tasks.return_day(periods.quarter(2026, 3)) == D(2027, 1, 4)
    assert tasks.due_quarter(D(2027, 1, 1)) is None
    assert tasks.due_quarter(D(2027, 1, 5)) is None
    assert tasks.due_quarter(D(2027, 1, 4)) == periods.quarter(2026, 3)
    # 2026Q1 ends on Tuesday 30 June 2026: Wednesday 1 July.
    assert tasks.due_quarter(D(2026, 7, 1)) == periods.quarter(2026, 1)


def test_the_quarterly_return_is_idempotent_and_tells_the_managers_once(
    manager, south, supported, django_capture_on_commit_callbacks
):
    manager.email = "mair@example.org"
    manager.save()
    services = Organisation.objects.filter(type=OrganisationType.SERVICE, is_active=True).count()
    assert tasks.prepare_quarterly_returns(D(2027, 1, 5)) == []  # not the day
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.prepare_quarterly_returns(D(2027, 1, 4))
    with django_capture_on_commit_callbacks(execute=True):
        again = tasks.prepare_quarterly_returns(D(2027, 1, 4))
    assert len(first) == 2 * services and again == []
    jobs = ExportJob.objects.filter(kind=ExportKind.QUARTERLY, service=south)
    assert sorted(j.language for j in jobs) == ["cy", "en"]
    assert all(j.status == ExportStatus.DONE and j.period == "2026Q3" and j.format == "pdf" for j in jobs)
    assert [m.to for m in mail.outbox] == [["mair@example.org"]]
    # The service's managers may download it; the queryset scope says so.
    assert set(ExportJob.objects.visible_to(manager)) == set(jobs)
