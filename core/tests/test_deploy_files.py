"""deploy/: the systemd units and timers pass `systemd-analyze verify`, the gunicorn config
loads with the settings the brief promises, and the proxy example has what Nyth relies on."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD = ROOT / "deploy" / "systemd"
INSTALL_DIR = "/srv/nyth"  # where the units expect the checkout (docs/deploy.md)
JOBS = {
    "emergency-access-report": "report_emergency_access",
    "clearsessions": "clearsessions",
    "prune-task-results": "prune_db_task_results",
    "lockout-cleanup": "axes_reset_logs",
    "purge-uploads": "purge_uploads",
    "backup": "backup",
    "audit-checkpoint": "audit_checkpoint",
    "outcome-reviews": "schedule_outcome_reviews",
    "space-alerts": "escalate_space_alerts",
    "space-reviews": "review_space_access",
    "space-notify": "send_space_notifications",
    "quarterly-returns": "report --quarterly-returns",
}


def units() -> list[Path]:
    return sorted(SYSTEMD.glob("*.service")) + sorted(SYSTEMD.glob("*.timer"))


def _parse(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(path.read_text())
    return parser


def test_every_job_has_a_service_and_a_timer():
    for name, command in JOBS.items():
        service = _parse(SYSTEMD / f"nyth-{name}.service")
        assert service["Service"]["Type"] == "oneshot"
        assert f"manage.py {command}" in (SYSTEMD / f"nyth-{name}.service").read_text()
        timer = _parse(SYSTEMD / f"nyth-{name}.timer")
        assert timer["Timer"]["OnCalendar"]
        assert timer["Install"]["WantedBy"] == "timers.target"
    for name in ("web", "worker"):
        service = _parse(SYSTEMD / f"nyth-{name}.service")
        assert service["Service"]["ExecStart"]
        assert service["Service"]["EnvironmentFile"] == "/etc/nyth/nyth.env"
    assert "deploy/gunicorn.conf.py" in (SYSTEMD / "nyth-web.service").read_text()


def test_systemd_analyze_verify_accepts_the_units(tmp_path):
    if shutil.which("systemd-analyze") is None:
        # Without the tool (apt-get install systemd), the weaker check: every unit parses.
        for unit in units():
            assert _parse(unit).sections(), unit
        return
    # The units name /srv/nyth; verify checks that ExecStart binaries exist, so point them at
    # this checkout (same layout: .venv/bin/python, .venv/bin/gunicorn).
    for unit in units():
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALL_DIR, str(ROOT)))
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / unit.name) for unit in units())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "nyth" not in result.stderr, result.stderr  # no warnings about our units either


def test_gunicorn_config_takes_workers_from_the_environment_and_logs_no_query_strings():
    env = {**os.environ, "NYTH_WEB_WORKERS": "3", "NYTH_BIND": "127.0.0.1:0"}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "deploy/gunicorn.conf.py", "--print-config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    config = dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition("=") for line in result.stdout.splitlines())
        if value
    )
    assert config["workers"] == "3"
    assert config["timeout"] == "30"
    assert "%(U)s" in config["access_log_format"]
    for leaky in ("%(r)s", "%(q)s", "%(f)s"):  # request line, query, referer
        assert leaky not in config["access_log_format"]


def test_the_proxy_example_sets_what_nyth_relies_on():
    text = (ROOT / "deploy" / "nginx.conf.example").read_text()
    for needle in (
        "proxy_set_header X-Forwarded-Proto $scheme",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for",
        "client_max_body_size",
        "ssl_certificate",
        "location /static/",
    ):
        assert needle in text, needle
