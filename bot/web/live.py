"""Server-sent events: the console and the web chat page hear about changes live.

A stream wakes when this process publishes a notice (bot/handoff/events.py) and
also re-reads the database every second, so a change made by another `serve`
process reaches the page within about a second as well.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from fastapi import Request
from fastapi.responses import StreamingResponse

from bot.handoff.arrivals import Waiting, arrivals, unknown_to_the_page
from bot.handoff.events import EventBus, alert_channel, alert_topics
from bot.handoff.typing import typing_event

log = logging.getLogger(__name__)

CHECK_EVERY_SECONDS = 1.0
KEEP_ALIVE_SECONDS = 15.0
# The alert stream's read of waiting requests gives up after this: a crisis heard from
# memory must never queue behind a stalled database.
WAITING_READ_SECONDS = 1.0
# How often a stream checks that the console session it opened with still stands.
SESSION_CHECK_SECONDS = 5.0

# Whether the stream's session still stands (bot/web/auth.py still_the_same).
SessionCheck = Callable[[], Awaitable[bool]]


class SessionWatch:
    """Ends a stream soon after its session does (sign-out, idle timeout, an account
    turned off), rather than at the browser's next reconnect. A database that doesn't
    answer is not an answer: the stream goes on, so crisis alerts still reach the page."""

    def __init__(self, check: SessionCheck | None) -> None:
        self._check = check
        self._next = time.monotonic() + SESSION_CHECK_SECONDS

    async def ended(self) -> bool:
        if self._check is None or time.monotonic() < self._next:
            return False
        self._next = time.monotonic() + SESSION_CHECK_SECONDS
        try:
            return not await asyncio.wait_for(self._check(), WAITING_READ_SECONDS)
        except Exception as exc:  # any database trouble: ask again next time
            log.warning("event stream: session not checked (%s)", type(exc).__name__)
            return False


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
    session: SessionCheck | None = None,
) -> AsyncIterator[str]:
    """`event: change` whenever what `fingerprint` reads from the database changes,
    and `event: typing` when `typing_topic` is heard (bot/handoff/typing.py), until
    the page goes or its `session` ends."""
    last = await fingerprint()
    yield "retry: 2000\n\n"
    quiet_since = time.monotonic()
    listened = [*topics, typing_topic] if typing_topic else topics
    watch = SessionWatch(session)
    with events.subscribe(*listened) as subscription:
        while not await request.is_disconnected() and not await watch.ended():
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


async def alert_stream(
    request: Request,
    events: EventBus,
    waiting: Callable[[], Awaitable[dict[int, Waiting]]],
    seen_up_to: int | None = None,
    session: SessionCheck | None = None,
    drawn: dt.datetime | None = None,
) -> AsyncIterator[str]:
    """`event: alert` with the channel (never who) for each crisis this process hears of,
    and `event: ticket` for each request newly waiting (or more urgent) among those
    `waiting` reads, with its number, urgency and council (never the parent's words);
    `event: count` with how many wait, at the start and whenever that changes.

    Events carry the newest ticket number the page knows of as their id, so a page that
    reconnects (sending Last-Event-ID as `seen_up_to`) still hears of requests made
    meanwhile; on its first connection, of those made since it was `drawn` (the moment
    between drawing the page and its script connecting). It ends when the page goes or
    its `session` ends."""
    yield "retry: 2000\n\n"  # before any read: the page is listening for crises now
    # None until the database first answers (it may be stalled; crises still go out).
    known = await _read_waiting(waiting)
    # The newest request this page knows of, sent as each event's id.
    newest = max([seen_up_to or 0, *(known or {})])
    if known is not None:
        yield _count_event(len(known), newest)
        for ticket, raised in unknown_to_the_page(known, seen_up_to, drawn):
            yield _ticket_event(ticket.as_alert(len(known), raised), newest)
    quiet_since = time.monotonic()
    # "queue" wakes the stream at once when this process opens or changes a ticket.
    watch = SessionWatch(session)
    with events.subscribe(*alert_topics(), "queue") as subscription:
        while not await request.is_disconnected() and not await watch.ended():
            woke = await subscription.wait(CHECK_EVERY_SECONDS)
            if woke:
                for topic in subscription.heard():
                    if topic == "queue":
                        continue
                    alert = {"kind": "crisis", "channel": alert_channel(topic)}
                    yield f"event: alert\ndata: {json.dumps(alert)}\n\n"
                    quiet_since = time.monotonic()
            current = await _read_waiting(waiting)
            if current is not None:
                if known is None:  # the first answer, after a stall at the start
                    fresh = unknown_to_the_page(current, seen_up_to, drawn)
                else:
                    fresh = arrivals(known, current)
                for ticket, raised in fresh:
                    newest = max(newest, ticket.id)
                    yield _ticket_event(ticket.as_alert(len(current), raised), newest)
                    quiet_since = time.monotonic()
                if known is None or len(current) != len(known):
                    yield _count_event(len(current), newest)  # the tab's title count
                    quiet_since = time.monotonic()
                known = current
            if time.monotonic() - quiet_since > KEEP_ALIVE_SECONDS:
                quiet_since = time.monotonic()
                yield ": still here\n\n"


async def _read_waiting(
    waiting: Callable[[], Awaitable[dict[int, Waiting]]],
) -> dict[int, Waiting] | None:
    """The waiting requests, or None if the database is slow or failing: the stream goes
    on (crisis alerts come from memory) and tries again in a second."""
    try:
        return await asyncio.wait_for(waiting(), WAITING_READ_SECONDS)
    except Exception as exc:  # any database trouble: skip this round, try again
        log.warning("alert stream: waiting requests not read (%s)", type(exc).__name__)
        return None


def _count_event(waiting: int, newest: int) -> str:
    return f"id: {newest}\nevent: count\ndata: {json.dumps({'waiting': waiting})}\n\n"


def _ticket_event(data: dict[str, object], newest: int) -> str:
    return f"id: {newest}\nevent: ticket\ndata: {json.dumps(data)}\n\n"
