"""Security headers and production settings."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_content_security_policy_forbids_inline_script(client):
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_templates_contain_no_inline_script_or_style():
    for template in ROOT.glob("*/templates/**/*.html"):
        text = template.read_text()
        for match in re.finditer(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", text, re.S):
            assert "src=" in match["attrs"] and not match["body"].strip(), f"inline script in {template}"
        assert not re.search(r"\sstyle=\"", text), f"inline style in {template}"
        assert not re.search(r"\son[a-z]+=\"", text), f"inline event handler in {template}"


def test_forms_carry_csrf_tokens(client_for, alice):
    body = client_for(alice).get(reverse("people:create")).content.decode()
    assert "csrfmiddlewaretoken" in body


def production_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NYTH_", "DJANGO_SETTINGS", "DEBUG", "SECRET_KEY"))}
    env.update(
        {
            "SECRET_KEY": "x" * 20 + "production-like-secret-key-for-the-check-0123456789",
            "ALLOWED_HOSTS": "nyth.example.org",
        }
    )
    env.update(extra)
    return env


def test_production_settings_pass_the_deployment_checks():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_are_strict():
    script = (
        "from config import settings as s;"
        "assert s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE and s.SECURE_SSL_REDIRECT;"
        "assert s.SECURE_HSTS_SECONDS >= 31536000 and not s.DEBUG and s.NYTH_REQUIRE_2FA;"
        "print('ok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "ok", result.stderr
