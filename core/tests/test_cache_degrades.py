"""Redis being down never takes a page out of service (ADR 006)."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import caches
from django.urls import reverse

from core.tests.test_ratelimit import closed_port_url

REDIS_URL = "redis://127.0.0.1:6379/3"


def redis_cache_settings(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "core.cache.DegradingRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def dead_redis_cache(settings):
    settings.CACHES = redis_cache_settings(closed_port_url())
    yield caches["default"]
    caches["default"].close()


def test_every_operation_degrades_when_redis_is_down(dead_redis_cache, caplog):
    cache = dead_redis_cache
    with caplog.at_level(logging.WARNING, logger="nyth.cache"):
        assert cache.get("a", "fallback") == "fallback"
        cache.set("a", 1)
        assert cache.add("a", 1) is False
        assert cache.get_many(["a", "b"]) == {}
        assert cache.has_key("a") is False
        assert cache.delete("a") is False
        assert cache.get_or_set("a", 5) == 5
        with pytest.raises(ValueError):
            cache.incr("a")
    assert "Cache unavailable" in caplog.text


def test_the_same_backend_works_when_redis_is_up(settings):
    settings.CACHES = redis_cache_settings(REDIS_URL)
    cache = caches["default"]
    cache.set("nyth-test-key", 41)
    assert cache.incr("nyth-test-key") == 42
    cache.delete("nyth-test-key")
    cache.close()


def test_pages_render_and_people_stay_signed_in_with_redis_down(
    dead_redis_cache, client_for, alice, la_cardiff, settings
):
    settings.NYTH_RATELIMIT_REDIS_URL = closed_port_url()
    client = client_for(alice)
    assert client.get(reverse("core:home")).status_code == 200  # database sessions: still signed in
    assert client.get(reverse("public_referral")).status_code == 302  # staff are sent to the staff form
    anonymous = client.__class__()
    assert anonymous.get(reverse("public_referral")).status_code == 200
