"""The owner's credentials (ADR 011): settings accept DATABASE_OWNER_URL only for the same
database, and ``as_owner`` swaps only the user and password, and puts them back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection
from django.test import override_settings

from core.db_roles import as_owner, configured_app_role, grant_statements

ROOT = Path(__file__).resolve().parents[2]


def _settings_with(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_OWNER_URL")}
    return subprocess.run(  # noqa: S603 - our own settings module, fixed arguments
        [sys.executable, "-c", "from django.conf import settings; print(settings.NYTH_DATABASE_OWNER['USER'])"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.test_settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_owner_url_must_name_the_same_database():
    same = _settings_with(
        DATABASE_URL="postgres://nyth_app:a@db.example:5432/nyth",
        DATABASE_OWNER_URL="postgres://nyth_owner:o@db.example:5432/nyth",
    )
    assert same.returncode == 0, same.stderr
    assert same.stdout.strip() == "nyth_owner"
    other = _settings_with(
        DATABASE_URL="postgres://nyth_app:a@db.example:5432/nyth",
        DATABASE_OWNER_URL="postgres://nyth_owner:o@db.example:5432/other",
    )
    assert other.returncode != 0
    assert "DATABASE_OWNER_URL must name the same database" in other.stderr


def test_as_owner_swaps_only_the_credentials_and_restores_them():
    before = dict(connection.settings_dict)
    with override_settings(
        NYTH_DATABASE_OWNER={"USER": "nyth_owner", "PASSWORD": "secret"}, NYTH_DATABASE_APP_USER="nyth_app"
    ):
        assert configured_app_role() == "nyth_app"
        with as_owner():
            assert connection.settings_dict["USER"] == "nyth_owner"
            assert connection.settings_dict["PASSWORD"] == "secret"  # noqa: S105
            assert connection.settings_dict["NAME"] == before["NAME"]
    assert dict(connection.settings_dict) == before
    with override_settings(NYTH_DATABASE_OWNER=None):
        assert configured_app_role() is None  # one role does both: nothing to grant


def test_the_grants_cover_every_audit_table_and_only_the_declared_exceptions():
    statements = grant_statements(app_role="nyth_app", owner_role="nyth_owner", database="nyth")
    text = "\n".join(statements)
    assert (
        'ALTER DEFAULT PRIVILEGES FOR ROLE "nyth_owner" IN SCHEMA "public" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES'
        in text
    )
    for table in ("audit_auditevent", "audit_auditchainhead"):
        assert f'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "{table}" FROM "nyth_app"' in text
    assert 'GRANT UPDATE ON "audit_auditchainhead" TO "nyth_app"' in text
    assert 'GRANT UPDATE ON "audit_auditevent"' not in text
    assert "GRANT DELETE ON" not in text
    # The broad grants come first, so the revokes win (one transaction).
    assert text.index("ON ALL TABLES") < text.index("REVOKE UPDATE, DELETE, TRUNCATE")
