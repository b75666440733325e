"""Moving-window limits: Redis through `limits`, the database when Redis is absent or down."""

from __future__ import annotations

import socket

import pytest
import redis

from core import ratelimit
from core.models import RateLimitHit

REDIS_URL = "redis://127.0.0.1:6379/3"  # this branch's own Redis database


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"  # nothing listens there once the socket is closed


@pytest.fixture
def redis_db(settings):
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379")
    client.flushdb()
    settings.NYTH_RATELIMIT_REDIS_URL = REDIS_URL
    yield client
    client.flushdb()


@pytest.fixture(autouse=True)
def no_redis_by_default(settings):
    settings.NYTH_RATELIMIT_REDIS_URL = ""


def test_database_window_allows_the_limit_then_refuses(db):
    rate = ratelimit.Rate(3, 3600)
    assert [ratelimit.hit("k", rate) for _ in range(4)] == [True, True, True, False]
    assert not ratelimit.allows("k", rate)
    assert ratelimit.allows("other", rate)
    assert RateLimitHit.objects.count() == 3  # a refused event is not counted


def test_database_window_moves(db, monkeypatch):
    rate = ratelimit.Rate(2, 60)
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit, "_now", lambda: now[0])
    assert ratelimit.hit("k", rate)
    now[0] += 30
    assert ratelimit.hit("k", rate)
    assert not ratelimit.hit("k", rate)
    now[0] += 31  # the first hit has left the window, the second has not
    assert ratelimit.hit("k", rate)
    assert not ratelimit.hit("k", rate)
    assert RateLimitHit.objects.count() == 2  # old hits are pruned


def test_redis_window_counts_in_redis(db, redis_db):
    rate = ratelimit.Rate(2, 3600)
    assert [ratelimit.hit("r", rate) for _ in range(3)] == [True, True, False]
    assert not RateLimitHit.objects.exists()
    assert any(b"r" in key for key in redis_db.keys("*"))


def test_redis_down_falls_back_to_the_database(db, settings):
    settings.NYTH_RATELIMIT_REDIS_URL = closed_port_url()
    rate = ratelimit.Rate(2, 3600)
    assert [ratelimit.hit("d", rate) for _ in range(3)] == [True, True, False]
    assert RateLimitHit.objects.filter(key_id="d").count() == 2
    assert not ratelimit.allows("d", rate)
