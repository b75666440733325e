"""Settings for the test suite: production behaviour (2FA mandatory, CSP, lockout) over plain HTTP."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("NYTH_HTTPS", "0")
os.environ.setdefault("NYTH_TESTING", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from config.settings import *  # noqa: E402,F403

# Fast hashing in tests only: Argon2 is what production uses (tested in accounts/tests).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405,S303
# Keep the SQLite test database on disk-less memory but with the same options.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["OPTIONS"].pop("init_command", None)  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}  # noqa: F405

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - WhiteNoise warns when it is missing

# Unit tests only: a per-process memory cache (every real deployment shares one, see settings).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
