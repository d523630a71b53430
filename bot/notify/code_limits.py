"""How many confirmation-code e-mails may go out: per parent, and per address.

Without a limit, a parent (or anyone holding their chat session) could make the
service send code e-mails to any address without end. A moving window from the
`limits` library, kept where the chat's flood limits are (Redis when REDIS_URL is
set, so every replica counts the same). Keys are hashes: no address or parent id
is written to Redis. If the store can't be reached the code is sent, as with the
flood limits: a broken counter must not stop a parent from getting their e-mails.
"""

from __future__ import annotations

import hashlib
import logging

from limits import RateLimitItem, RateLimitItemPerHour
from limits.aio.strategies import MovingWindowRateLimiter

from bot.channels.flood import limit_storage

log = logging.getLogger(__name__)

CODES_PER_PARENT = RateLimitItemPerHour(3)
# Several parents may share one address (a family's), but no more than this.
CODES_PER_ADDRESS = RateLimitItemPerHour(5)
NAMESPACE = "champion-email-code"


class CodeLimits:
    def __init__(self, redis_url: str = "") -> None:
        self._limiter = MovingWindowRateLimiter(limit_storage(redis_url))

    async def allow(self, parent_id: int, address: str) -> bool:
        """True (and counted) if a code may be e-mailed to this address for this
        parent now; False if either has had its share this hour."""
        checks: list[tuple[RateLimitItem, str]] = [
            (CODES_PER_PARENT, _key("parent", str(parent_id))),
            (CODES_PER_ADDRESS, _key("address", address.lower())),
        ]
        try:
            # Each hit counts and answers in one step, so two requests at the same
            # instant can't both take the last place (testing first, then counting,
            # let them). A parent refused for a busy address has still used a try.
            for item, key in checks:
                if not await self._limiter.hit(item, NAMESPACE, key):
                    return False
        except Exception as exc:
            log.warning("code e-mail limit store unavailable (%s); code sent", type(exc).__name__)
        return True


def _key(kind: str, who: str) -> str:
    return hashlib.sha256(f"{kind}\n{who}".encode()).hexdigest()[:32]
