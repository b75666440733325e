"""Production static files: collectstatic with the manifest storage succeeds, and pages render
with the hashed names (found: a missing source map made collectstatic fail and every page a 500)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def production_env(static_root: Path) -> dict[str, str]:
    scrubbed = {"NYTH_DEMO", "DEBUG", "NYTH_TESTING", "DJANGO_SETTINGS_MODULE"}
    env = {key: value for key, value in os.environ.items() if key not in scrubbed}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "NYTH_DEMO": "0",
            "SECRET_KEY": "collectstatic-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG",
            "ALLOWED_HOSTS": "nyth.example.org",
            "NYTH_STATIC_ROOT": str(static_root),
        }
    )
    return env


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:
    static_root = tmp_path_factory.mktemp("staticfiles")
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=production_env(static_root),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, f"collectstatic failed:\n{result.stdout}\n{result.stderr}"
    return static_root


def test_the_built_bundle_names_no_source_map():
    bundle = (ROOT / "core" / "static" / "govuk" / "govuk-frontend.js").read_text()
    assert "sourceMappingURL" not in bundle


def test_collectstatic_with_production_settings_writes_a_manifest(collected):
    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]
    for name in ("govuk/nyth.css", "govuk/govuk-frontend.js"):
        hashed = manifest[name]
        assert re.fullmatch(re.escape(name.rsplit(".", 1)[0]) + r"\.[0-9a-f]{12}\." + name.rsplit(".", 1)[1], hashed)
        assert (collected / hashed).is_file()
        assert (collected / f"{hashed}.gz").is_file()  # WhiteNoise serves the compressed copy


@pytest.mark.django_db
def test_a_page_renders_with_the_production_manifest(client, collected):
    with override_settings(STORAGES=PRODUCTION_STORAGES, STATIC_ROOT=collected, WHITENOISE_USE_FINDERS=False):
        response = client.get("/en/account/sign-in/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'href="/static/govuk/nyth\.[0-9a-f]{12}\.css"', html)
    assert re.search(r'src="/static/govuk/govuk-frontend\.[0-9a-f]{12}\.js"', html)
