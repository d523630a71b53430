"""Live notices between `serve` processes over Redis pub/sub (when REDIS_URL is set).

Each process publishes its notices to one Redis channel and forwards what other
processes published to its own listeners. Without Redis, pages still catch up
within about a second from the database (bot/web/live.py); with it, a champion
on one replica sees a parent on another at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid

import redis.asyncio as redis

from bot.handoff.events import EventBus

log = logging.getLogger(__name__)
CHANNEL = "champion:events"


class RedisBridge:
    def __init__(self, url: str, bus: EventBus) -> None:
        self._client = redis.from_url(url)
        self._bus = bus
        self._origin = uuid.uuid4().hex
        self._task: asyncio.Task[None] | None = None
        self._outgoing: asyncio.Queue[list[str]] = asyncio.Queue(maxsize=10_000)
        self._sender: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._client.ping()  # fail at start, with a clear error, if Redis is wrong
        self._bus.on_publish = self._queue
        self._task = asyncio.create_task(self._listen(), name="redis-events")
        self._sender = asyncio.create_task(self._send(), name="redis-publish")

    def _queue(self, topics: list[str]) -> None:
        with contextlib.suppress(asyncio.QueueFull):  # the database catch-up covers a gap
            self._outgoing.put_nowait(topics)

    async def _send(self) -> None:
        while True:
            topics = await self._outgoing.get()
            try:
                await self._client.publish(
                    CHANNEL, json.dumps({"origin": self._origin, "topics": topics})
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("could not publish a live notice to Redis (%s)", type(exc).__name__)

    async def _listen(self) -> None:
        while True:
            try:
                async with self._client.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    async for message in pubsub.listen():
                        if message.get("type") != "message":
                            continue
                        data = json.loads(message["data"])
                        if data.get("origin") != self._origin:
                            self._bus.publish(*data.get("topics", []), local_only=True)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("Redis live notices interrupted (%s); reconnecting", type(exc).__name__)
                await asyncio.sleep(1)

    async def stop(self) -> None:
        self._bus.on_publish = None
        for task in (self._task, self._sender):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self._client.aclose()
