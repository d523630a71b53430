"""Flood limits for the web chat: messages per session, new sessions per client address.

A moving window from the `limits` library, kept in Redis when REDIS_URL is set so
every replica counts the same requests, otherwise in this process's memory. Keys
are hashes, so neither session ids nor addresses are written to Redis.

If Redis cannot be reached the request is let through: a flood limit must never be
the reason a parent goes unanswered.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)


class FloodLimits:
    def __init__(
        self, messages_per_minute: int, new_sessions_per_minute: int, redis_url: str = ""
    ) -> None:
        self._storage = limit_storage(redis_url)
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._messages = _per_minute(messages_per_minute)
        self._new_sessions = _per_minute(new_sessions_per_minute)

    async def message_wait(self, session: str) -> int | None:
        """None if this session may send a message now, else seconds to wait."""
        return await self._hit(self._messages, "message", session)

    async def new_session_wait(self, address: str) -> int | None:
        """None if this address may start a new session now, else seconds to wait."""
        return await self._hit(self._new_sessions, "session", _network_of(address))

    async def _hit(self, item: RateLimitItem | None, kind: str, who: str) -> int | None:
        if item is None:
            return None
        key = hashlib.sha256(f"{kind}\n{who}".encode()).hexdigest()[:32]
        try:
            if await self._limiter.hit(item, "champion-chat", kind, key):
                return None
            stats = await self._limiter.get_window_stats(item, "champion-chat", kind, key)
        except Exception as exc:
            log.warning("flood limit store unavailable (%s); request allowed", type(exc).__name__)
            return None
        return max(1, math.ceil(stats.reset_time - time.time()))


def limit_storage(redis_url: str) -> Storage:
    """Where counts are kept: Redis when set (every replica counts the same), else memory."""
    if redis_url:
        # Short timeouts: a stalled Redis lets requests through rather than hold them.
        return RedisStorage(
            f"async+{redis_url}",
            implementation="redispy",
            socket_timeout=1.0,
            socket_connect_timeout=1.0,
        )
    return MemoryStorage()


def _network_of(address: str) -> str:
    """An IPv6 address counts as its /64: one household or host is given a whole /64,
    and could otherwise start sessions from a new address each time."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _per_minute(amount: int) -> RateLimitItem | None:
    return RateLimitItemPerMinute(amount) if amount > 0 else None
