"""Issue 10's integrated proof on the smoke server (gunicorn, 2 workers, production settings) and
the task worker the settings name (``run_worker``, or ``rqworker`` on Redis with
``NYTH_SMOKE_TASK_BACKEND=rq``): a 10,000-row web import finished in the background with
progress and exact counts, a killed worker's import recovered, the public limit counted in the
shared store across web workers, and a backup of the server's database restored and verified.

The long tests are marked ``smoke_full`` (``make proof``; see smoke/conftest.py)."""

from __future__ import annotations

import csv
import io
import re
import secrets
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from uuid import UUID

import pytest
from django.core import signing

from bench.import_referrals import synthetic_csv
from core.tests.servers import ScratchDatabase
from referrals import importer
from referrals.tests.test_referrals import public_post
from smoke.conftest import (
    MANAGE_TIMEOUT,
    PUBLIC_REFERRALS_PER_HOUR,
    REDIS_URL,
    ROOT,
    TASK_BACKEND,
    ProductionServer,
    manage,
)
from smoke.support import Browser, form_with

ROWS = 10_000
INVALID = 37  # rows given an impossible date of birth
REPEATED = 5  # valid rows copied again at the end of the file
IMPORT_TIMEOUT = 300  # seconds for a 10,000-row import on a busy 2-core machine
# RQ notices a killed worker's job only once its heartbeat has lapsed (RQ's fixed 60 s margin
# plus the monitoring interval), then at the next maintenance run: minutes are a bound, not a wait.
RECOVERY_TIMEOUT = 300
POLL = 0.2  # seconds between two looks at a condition that has a deadline


@dataclass
class ImportFile:
    raw: bytes
    created: int  # valid, unique rows: each becomes one referral
    duplicates: int
    invalid: int
    invalid_rows: list[int]  # file row numbers (the header is row 1)


def import_file(seed: int) -> ImportFile:
    """10,000 rows from the benchmark's generator: INVALID rows made invalid, and the last
    REPEATED rows copies of earlier valid ones (imported once, counted as repeats)."""
    text = synthetic_csv(ROWS - REPEATED, seed).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    dob = header.index("date_of_birth")
    spoilt = [index * 250 + 7 for index in range(INVALID)]  # spread over the file, all < 9,995
    for index in spoilt:
        rows[index][dob] = "31/02/2015"  # no such day
    rows += [list(rows[index]) for index in range(1, 1 + REPEATED)]  # none of them spoilt
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ImportFile(
        raw=out.getvalue().encode("utf-8"),
        created=ROWS - REPEATED - INVALID,
        duplicates=REPEATED,
        invalid=INVALID,
        invalid_rows=[index + 2 for index in spoilt],
    )


def wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(POLL)  # polling interval; the deadline bounds the wait
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _job_key(server: ProductionServer, job_id: UUID) -> str:
    return str(job_id) if server.database.is_postgres else job_id.hex  # how each stores a UUID


def job_row(server: ProductionServer, job_id: UUID) -> dict:
    columns = ("status", "rows_total", "rows_checked", "checkpoint", "created", "duplicates", "invalid", "runs")
    rows = server.database.query(
        f"SELECT {', '.join(columns)} FROM referrals_importjob WHERE id = ?",  # noqa: S608 - fixed column names, the id a parameter  # nosec B608
        (_job_key(server, job_id),),
    )
    assert rows, f"no import job {job_id}"
    return dict(zip(columns, rows[0], strict=True))


def referral_count(server: ProductionServer) -> int:
    return server.database.query("SELECT count(*) FROM referrals_referral")[0][0]


def upload(browser: Browser, file: ImportFile, name: str) -> tuple[UUID, str]:
    """The real upload page: its form, its CSRF token, the file as a browser sends it."""
    page = browser.get_signed_in("/en/referrals/import/")
    form = form_with(page.text, "csrfmiddlewaretoken")
    fields = {**form["fields"], "mode": importer.VALID_ONLY}
    result = browser.post("/en/referrals/import/", fields, files={"file": (name, file.raw, "text/csv")})
    assert result.status == 200, result.text[:2000]
    match = re.fullmatch(r"/en/referrals/import/([0-9a-f-]{36})/", result.url)
    assert match, f"not sent to the job's page: {result.url} via {result.redirects}\n{result.text[:2000]}"
    return UUID(match.group(1)), result.text


PROGRESS = re.compile(r'id="import-(checked|done)">(\d+) of (\d+)<')


def follow_to_report(browser: Browser, page_text: str, job_path: str) -> tuple[str, list[tuple[str, int, int]]]:
    """Press "Check progress" until the report is shown; the progress figures seen on the way."""
    seen: list[tuple[str, int, int]] = []
    deadline = time.monotonic() + IMPORT_TIMEOUT
    while "Import report" not in page_text:
        assert "Import in progress" in page_text, page_text[:2000]
        seen += [(stage, int(done), int(total)) for stage, done, total in PROGRESS.findall(page_text)]
        button = re.search(r'<a class="govuk-button"[^>]*href="([^"]+)">Check progress</a>', page_text)
        assert button, "the progress page has no Check progress button"
        assert button.group(1) == job_path
        if time.monotonic() > deadline:
            raise AssertionError(f"the import did not finish within {IMPORT_TIMEOUT} s; last seen {seen[-2:]}")
        time.sleep(POLL)  # a person pressing the button again; the deadline bounds it
        page_text = browser.get_signed_in(button.group(1)).text
    return page_text, seen


def report_figures(page_text: str) -> dict[str, int]:
    def figure(label: str) -> int:
        match = re.search(
            r'<dt class="govuk-summary-list__key">'
            + re.escape(label)
            + r'</dt><dd class="govuk-summary-list__value">(\d+)</dd>',
            page_text,
        )
        assert match, f"no {label!r} on the report"
        return int(match.group(1))

    return {
        "rows": figure("Rows in the file"),
        "created": figure("Referrals created"),
        "duplicates": figure("Already in Nyth (not created again)"),
        "invalid": figure("Rows with errors (not imported)"),
    }


@pytest.mark.smoke_full
def test_a_10000_row_import_finishes_in_the_background_with_progress_and_exact_counts(manager_signed_in, server):
    file = import_file(seed=2026)
    before = referral_count(server)
    started = time.monotonic()
    job_id, page_text = upload(manager_signed_in, file, "referrals-10000.csv")
    report, seen = follow_to_report(manager_signed_in, page_text, f"/en/referrals/import/{job_id}/")
    elapsed = time.monotonic() - started

    assert seen, "the job page was never shown in progress"
    assert all(total in (ROWS, file.created) for _stage, _done, total in seen), seen
    checked = [done for stage, done, _total in seen if stage == "checked"]
    assert checked == sorted(checked), f"progress went backwards: {checked}"
    figures = report_figures(report)
    assert figures == {"rows": ROWS, "created": file.created, "duplicates": file.duplicates, "invalid": file.invalid}
    for row in file.invalid_rows[:5]:  # the row-by-row report names the spoilt rows
        assert re.search(rf'<td class="govuk-table__cell govuk-table__cell--numeric">{row}</td>', report), row
    job = job_row(server, job_id)
    assert (job["status"], job["created"], job["duplicates"], job["invalid"]) == (
        "done",
        file.created,
        file.duplicates,
        file.invalid,
    )
    assert referral_count(server) - before == file.created
    print(f"\n10,000-row import ({TASK_BACKEND}): {elapsed:.1f} s upload to report; {len(seen) // 2} progress pages")  # noqa: T201 - the measured time, shown with -s


@pytest.mark.smoke_full
def test_a_killed_workers_import_is_recovered_with_exact_counts(manager_signed_in, server):
    file = import_file(seed=2027)
    before = referral_count(server)
    job_id, page_text = upload(manager_signed_in, file, "referrals-killed.csv")

    # Kill -9 (worker and its children) once some batches are committed and the job is unfinished.
    job = wait_for(
        lambda: (row := job_row(server, job_id))["checkpoint"] > 0 and row,
        timeout=IMPORT_TIMEOUT,
        what="the first committed batch",
    )
    server.worker.kill()
    at_kill = job_row(server, job_id)
    assert at_kill["status"] != "done", f"the import finished before the kill: {at_kill}"
    assert 0 < at_kill["checkpoint"] < file.created, at_kill

    killed_at = time.monotonic()
    server.worker.start()  # a new worker: the reaper (or RQ's maintenance) re-queues the task
    report, _seen = follow_to_report(manager_signed_in, page_text, f"/en/referrals/import/{job_id}/")
    recovered_in = time.monotonic() - killed_at

    assert report_figures(report) == {
        "rows": ROWS,
        "created": file.created,
        "duplicates": file.duplicates,
        "invalid": file.invalid,
    }
    final = job_row(server, job_id)
    assert final["status"] == "done" and final["runs"] >= 2, final  # it was resumed, not run once
    assert referral_count(server) - before == file.created  # nothing created twice
    print(  # noqa: T201 - the measured time, shown with -s
        f"\nkilled at checkpoint {job['checkpoint']}..{at_kill['checkpoint']} ({TASK_BACKEND}); finished {recovered_in:.1f} s later"
    )


def test_the_public_limit_holds_in_the_shared_store_across_web_workers(server):
    """N + k referrals from one address, each from a new visitor on a new connection, four at a
    time so both web workers serve them: exactly N accepted. (That two processes did the
    counting is proven by referrals/tests/test_limit_across_workers.py, whose log has pids.)"""
    la_pk = server.database.query("SELECT id FROM accounts_organisation WHERE code = ?", ("W06000015",))[0][0]
    extra = 3
    la = type("LA", (), {"pk": la_pk})

    def send(number: int) -> str:
        browser = Browser(server.url)  # a new visitor, a new connection, the form's own tokens
        browser.session.headers["Connection"] = "close"
        page = browser.get("/en/refer/")
        assert page.status == 200, page.text[:1000]
        form = form_with(page.text, "started")
        # The form's token, re-signed a minute older (the robot check refuses a form sent at once).
        started = signing.dumps(
            {"t": time.time() - 60, "n": secrets.token_hex(8)}, key=server.env["SECRET_KEY"], salt="public-referral"
        )
        data = public_post(
            la,
            needs=f"Smoke worry {number}",
            started=started,
            submission_key=f"smoke-{number}",
            csrfmiddlewaretoken=form["fields"]["csrfmiddlewaretoken"],
        )
        result = browser.post("/en/refer/", data)
        return "accepted" if result.status == 200 and result.redirects else str(result.status)

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(send, range(PUBLIC_REFERRALS_PER_HOUR + extra)))
    assert outcomes.count("accepted") == PUBLIC_REFERRALS_PER_HOUR, outcomes
    assert outcomes.count("429") == extra, outcomes
    wait_for(  # gunicorn writes each access line just after answering
        lambda: server.log().count('"POST /en/refer/ HTTP/1.1"') >= PUBLIC_REFERRALS_PER_HOUR + extra,
        timeout=10,
        what="every POST in the access log",
    )
    if TASK_BACKEND == "rq":
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
        try:
            keys = [key.decode() for key in client.scan_iter(count=1000)]
        finally:
            client.close()
        assert any(key.startswith("LIMITS") for key in keys), f"the limit was not counted in Redis: {keys[:20]}"


@pytest.mark.smoke_full
def test_a_backup_of_the_server_database_restores_and_verifies(server, tmp_path):
    backup = tmp_path / "smoke.backup"
    manage(server.env, "backup", "--output", str(backup))
    assert backup.stat().st_size > 0
    restored = ScratchDatabase(tmp_path, label="smoke_restored")
    restored.create()
    try:
        manage(server.env, "restore", str(backup), "--database-url", restored.url)
        result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, "manage.py", "verify_audit"],
            cwd=ROOT,
            env={**server.env, "DATABASE_URL": restored.url},
            capture_output=True,
            text=True,
            timeout=MANAGE_TIMEOUT,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        children = restored.query("SELECT count(*) FROM people_child")[0][0]
        assert children == server.database.query("SELECT count(*) FROM people_child")[0][0] >= 20
    finally:
        restored.drop()
