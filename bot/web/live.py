"""Server-sent events: the console and the web chat page hear about changes live.

A stream wakes when this process publishes a notice (bot/handoff/events.py) and
also re-reads the database every second, so a change made by another `serve`
process reaches the page within about a second as well.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from fastapi import Request
from fastapi.responses import StreamingResponse

from bot.handoff.events import EventBus, alert_channel, alert_topics
from bot.handoff.typing import typing_event

CHECK_EVERY_SECONDS = 1.0
KEEP_ALIVE_SECONDS = 15.0


def event_stream(body: AsyncIterator[str]) -> StreamingResponse:
    return StreamingResponse(
        body,
        media_type="text/event-stream",
        # No proxy buffering, no caching: each event must reach the page at once.
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def change_notices(
    request: Request,
    events: EventBus,
    topics: list[str],
    fingerprint: Callable[[], Awaitable[str]],
    typing_topic: str | None = None,
) -> AsyncIterator[str]:
    """`event: change` whenever what `fingerprint` reads from the database changes,
    and `event: typing` when `typing_topic` is heard (bot/handoff/typing.py)."""
    last = await fingerprint()
    yield "retry: 2000\n\n"
    quiet_since = time.monotonic()
    listened = [*topics, typing_topic] if typing_topic else topics
    with events.subscribe(*listened) as subscription:
        while not await request.is_disconnected():
            woke = await subscription.wait(CHECK_EVERY_SECONDS)
            if woke and typing_topic and typing_topic in subscription.heard():
                quiet_since = time.monotonic()
                yield typing_event({})
            current = await fingerprint()
            if current != last:
                last = current
                quiet_since = time.monotonic()
                yield "event: change\ndata: {}\n\n"
            elif time.monotonic() - quiet_since > KEEP_ALIVE_SECONDS:
                quiet_since = time.monotonic()
                yield ": still here\n\n"


def message_event(message_id: int, data: dict[str, object]) -> str:
    return f"id: {message_id}\nevent: message\ndata: {json.dumps(data)}\n\n"


async def alert_stream(request: Request, events: EventBus) -> AsyncIterator[str]:
    """`event: alert` with the channel (never who) for each crisis this process hears of."""
    yield "retry: 2000\n\n"
    quiet_since = time.monotonic()
    with events.subscribe(*alert_topics()) as subscription:
        while not await request.is_disconnected():
            if await subscription.wait(CHECK_EVERY_SECONDS):
                for topic in subscription.heard():
                    alert = {"kind": "crisis", "channel": alert_channel(topic)}
                    yield f"event: alert\ndata: {json.dumps(alert)}\n\n"
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > KEEP_ALIVE_SECONDS:
                quiet_since = time.monotonic()
                yield ": still here\n\n"
