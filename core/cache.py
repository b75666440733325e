"""A Redis cache that degrades instead of failing (ADR 006).

The cache only ever holds what can be recomputed, so Redis being down must never take a page out
of service: a read answers a miss, a write is dropped, and one warning is logged per call. Django's
own RedisCache would raise ``redis.ConnectionError`` into the view and turn the page into a 500.
Short socket timeouts (settings ``NYTH_REDIS_TIMEOUT_SECONDS``) keep a dead Redis from holding a
request for long. Nothing that must survive (sessions, limits, lockouts) relies on this cache.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("nyth.cache")


def _degrade(default: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(self: DegradingRedisCache, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except RedisError as error:
                logger.warning("Cache unavailable, %s degraded: %s", method.__name__, error.__class__.__name__)
                return default(*args, **kwargs)

        return wrapper

    return decorate


def _get_default(key: Any, default: Any = None, version: Any = None) -> Any:
    return default


def _incr_default(key: Any, delta: int = 1, version: Any = None) -> int:
    # Django's incr raises ValueError for a missing key; callers already handle that case.
    raise ValueError(f"Key {key!r} not found (cache unavailable)")


class DegradingRedisCache(RedisCache):
    get = _degrade(_get_default)(RedisCache.get)
    add = _degrade(lambda *a, **k: False)(RedisCache.add)
    set = _degrade(lambda *a, **k: None)(RedisCache.set)
    touch = _degrade(lambda *a, **k: False)(RedisCache.touch)
    delete = _degrade(lambda *a, **k: False)(RedisCache.delete)
    get_many = _degrade(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _degrade(lambda *a, **k: False)(RedisCache.has_key)
    incr = _degrade(_incr_default)(RedisCache.incr)
    set_many = _degrade(lambda data, *a, **k: list(data))(RedisCache.set_many)
    delete_many = _degrade(lambda *a, **k: None)(RedisCache.delete_many)
    clear = _degrade(lambda *a, **k: False)(RedisCache.clear)
