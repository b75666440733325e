"""Moving-window limits shared by every process (ADR 006).

A limit allows ``limit`` events per key in any ``seconds``-long stretch of time (a moving window:
no clock hour that resets, nothing per process). With Redis configured
(``NYTH_RATELIMIT_REDIS_URL``, by default ``NYTH_REDIS_URL``) the maintained ``limits`` library
counts in Redis with its atomic moving-window script. Without Redis, or while it is down, the
database counts instead (a locked row per key, so the check and the hit are one atomic step on
PostgreSQL and SQLite alike). The fallback fails *open to the database*, not closed: a Redis outage
must not stop carers sending referrals. The window restarts in the database when Redis goes down,
so for one window after an outage an address can get up to twice its limit; that bound is stated
in ADR 006.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from limits import RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError

from core.models import RateLimitHit, RateLimitKey

logger = logging.getLogger("nyth.ratelimit")


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int


@lru_cache(maxsize=4)
def _redis_limiter(url: str) -> MovingWindowRateLimiter:
    timeout = getattr(settings, "NYTH_REDIS_TIMEOUT_SECONDS", 0.5)
    storage = RedisStorage(
        url,
        wrap_exceptions=True,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
    )
    return MovingWindowRateLimiter(storage)


def _item(rate: Rate) -> RateLimitItemPerSecond:
    return RateLimitItemPerSecond(rate.limit, rate.seconds, namespace="nyth")


def _redis() -> MovingWindowRateLimiter | None:
    url = getattr(settings, "NYTH_RATELIMIT_REDIS_URL", "")
    return _redis_limiter(url) if url else None


def _now() -> float:
    return time.time()


def _db_hit(key: str, rate: Rate, now: float) -> bool:
    with transaction.atomic():
        RateLimitKey.objects.get_or_create(key=key)
        # The lock serialises every process counting this key (SQLite's IMMEDIATE transactions
        # already serialise writers; on PostgreSQL this row lock does).
        RateLimitKey.objects.select_for_update().get(key=key)
        hits = RateLimitHit.objects.filter(key_id=key)
        hits.filter(at__lte=now - rate.seconds).delete()
        if hits.count() >= rate.limit:
            return False
        RateLimitHit.objects.create(key_id=key, at=now)
        return True


def _db_test(key: str, rate: Rate, now: float) -> bool:
    return RateLimitHit.objects.filter(key_id=key, at__gt=now - rate.seconds).count() < rate.limit


def hit(key: str, rate: Rate) -> bool:
    """Count one event for ``key`` if the window has room; False (nothing counted) if full."""
    limiter = _redis()
    if limiter is not None:
        try:
            return limiter.hit(_item(rate), key)
        except (StorageError, RedisError) as error:
            logger.warning("Rate-limit store unavailable, counting in the database: %s", error.__class__.__name__)
    return _db_hit(key, rate, _now())


def allows(key: str, rate: Rate) -> bool:
    """Whether one more event would be counted now (counts nothing)."""
    limiter = _redis()
    if limiter is not None:
        try:
            return limiter.test(_item(rate), key)
        except (StorageError, RedisError) as error:
            logger.warning("Rate-limit store unavailable, reading the database: %s", error.__class__.__name__)
    return _db_test(key, rate, _now())
