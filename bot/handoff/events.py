"""Live notices between the parent side and the console, inside one process.

A notice only says "something changed on this topic"; whoever listens reads the
database, which stays the one source of truth. Listeners also re-check the
database every second or two, so a change made by another `serve` process still
shows up quickly (issue 9 adds Redis pub/sub to make that instant too).

Topics: "queue" (any ticket), "ticket:<id>", "parent:<channel>:<chat id>", and
"alert:crisis:<channel>" (a crisis, raised from memory before any database work;
it names no one, so it can travel to every console page and the staff chat).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator


class Subscription:
    def __init__(self, topics: set[str]) -> None:
        self.topics = topics
        self._changed = asyncio.Event()
        self._heard: list[str] = []

    def notify(self, topics: set[str] | None = None) -> None:
        if topics:
            self._heard.extend(sorted(topics))
            del self._heard[:-100]  # a listener that never reads keeps only the latest
        self._changed.set()

    def heard(self) -> list[str]:
        """The topics notified since the last call, oldest first."""
        heard, self._heard = self._heard, []
        return heard

    async def wait(self, seconds: float) -> bool:
        """True if notified within this many seconds."""
        try:
            await asyncio.wait_for(self._changed.wait(), seconds)
        except TimeoutError:
            return False
        self._changed.clear()
        return True


class EventBus:
    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()
        # Set by the Redis bridge: also tell the other processes.
        self.on_publish: Callable[[list[str]], None] | None = None

    def publish(self, *topics: str, local_only: bool = False) -> None:
        if self.on_publish is not None and not local_only and topics:
            self.on_publish(list(topics))
        wanted = set(topics)
        for subscription in list(self._subscriptions):
            matched = subscription.topics & wanted
            if matched:
                subscription.notify(matched)

    @contextlib.contextmanager
    def subscribe(self, *topics: str) -> Iterator[Subscription]:
        subscription = Subscription(set(topics))
        self._subscriptions.add(subscription)
        try:
            yield subscription
        finally:
            self._subscriptions.discard(subscription)


def parent_topic(channel: str, chat_id: str) -> str:
    return f"parent:{channel}:{chat_id}"


def ticket_topic(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


ALERT_CHANNELS = ("web", "telegram", "whatsapp")


def alert_topic(channel: str) -> str:
    return f"alert:crisis:{channel}"


def alert_topics() -> list[str]:
    return [alert_topic(channel) for channel in ALERT_CHANNELS]


def alert_channel(topic: str) -> str:
    """The channel an alert topic names ("alert:crisis:web" is "web")."""
    return topic.rsplit(":", 1)[-1]
