"""PostgreSQL's JIT is off for Nyth's own connections unless NYTH_DATABASE_JIT=1 (config/settings.py;
docs/national-scale.md: compiling the reports' plans cost seconds a query at national scale)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="JIT is PostgreSQL's")
def test_nyths_connections_run_without_jit():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.parametrize(("flag", "options"), [("", "-c jit=off"), ("1", "")])
def test_the_setting_turns_it_off_unless_asked_to_keep_it(flag, options):
    """The production settings module itself, loaded in a fresh process with and without the flag."""
    env = {
        **os.environ,
        "NYTH_DEMO": "1",
        "NYTH_DATABASE_JIT": flag,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "postgres://nyth@127.0.0.1:5432/nyth",  # read, never connected to
    }
    code = (
        "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}).get('options', ''))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == options
