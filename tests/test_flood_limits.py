"""Flood limits on the web chat: messages per session, new sessions per address.

Over a limit the answer is 429 in the replies shape with words from flows/system.yml
and an integer Retry-After; a crisis is never refused.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.config import Settings
from bot.handoff import tickets
from bot.store import conversations as store
from bot.web.app import create_app
from tests.chat import Parent
from tests.conftest import build_test_actions

REDIS_URL = "redis://127.0.0.1:6379/0"
CRISIS = "i want to kill myself tonight"


@contextlib.asynccontextmanager
async def app_with(settings: Settings, **limits: object) -> AsyncIterator[object]:
    app = create_app(settings.model_copy(update=limits), actions=build_test_actions())
    async with app.router.lifespan_context(app):
        yield app


def client_for(app: object, address: str = "203.0.113.7") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://champion.test")


def assert_refused(response: httpx.Response, words: str) -> None:
    assert response.status_code == 429
    assert words in response.json()["replies"][0]["text"]
    wait = response.headers["retry-after"]
    assert wait.isdigit() and 1 <= int(wait) <= 60


async def test_messages_over_the_limit_are_refused_kindly_and_not_stepped(
    settings: Settings,
) -> None:
    async with app_with(settings, chat_messages_per_minute=3) as app, client_for(app) as client:
        parent = Parent(client)
        await parent.open_chat()
        await parent.press("OK, let's start")
        await parent.say("menu")
        refused = await parent.post(text="please tell me about EHC plans")
        assert_refused(refused, "faster than I can read them")
        database = app.state.services.database  # type: ignore[attr-defined]
        entries = await database.read(store.transcript, "web", parent.session)
        assert not any("EHC plans" in (e.text or "") for e in entries if e.direction == "in")

        # A crisis over the limit still gets the numbers; it is not saved, so a flood
        # of crisis words cannot become a flood of urgent tickets.
        crisis = await parent.post(text=CRISIS)
        assert crisis.status_code == 200
        assert crisis.json()["replies"][0]["kind"] == "crisis"
        assert "999" in crisis.text

        # Another family is not held back by this one.
        other = Parent(client)
        assert (await other.post(payload="global:start")).status_code == 200


async def test_new_sessions_are_limited_per_client_address(settings: Settings) -> None:
    async with (
        app_with(settings, chat_new_sessions_per_minute=2) as app,
        client_for(app, "198.51.100.1") as flooder,
        client_for(app, "198.51.100.2") as family,
    ):
        for _ in range(2):
            assert (await Parent(flooder).post(payload="global:start")).status_code == 200
        third = Parent(flooder)
        assert_refused(await third.post(payload="global:start"), "new chats")
        assert third.token is None  # no session, no secret
        # Crisis words from new sessions are answered even so, but each does not
        # become a conversation and an urgent ticket alerting every champion.
        for _ in range(10):
            crisis = await Parent(flooder).post(text=CRISIS)
            assert crisis.status_code == 200 and crisis.json()["replies"][0]["kind"] == "crisis"
        database = app.state.services.database  # type: ignore[attr-defined]
        assert await database.read(tickets.queue, None) == []
        # One household's IPv6 /64 is one address for this count.
        async with (
            client_for(app, "2001:db8:1:2::10") as one,
            client_for(app, "2001:db8:1:2::99") as neighbour,
        ):
            for _ in range(2):
                assert (await Parent(one).post(payload="global:start")).status_code == 200
            assert (await Parent(neighbour).post(payload="global:start")).status_code == 429
        # Another address is unaffected, and known sessions carry on.
        assert (await Parent(family).post(payload="global:start")).status_code == 200


async def statuses_of_new_sessions(
    settings: Settings, address: str, headers: list[dict[str, str]], **limits: object
) -> list[int]:
    async with (
        app_with(settings, chat_new_sessions_per_minute=1, **limits) as app,
        client_for(app, address) as client,
    ):
        return [
            (
                await client.post(
                    "/api/chat",
                    json={"session": f"s-{uuid.uuid4().hex}", "payload": "global:start"},
                    headers=each,
                )
            ).status_code
            for each in headers
        ]


async def test_forwarded_for_counts_only_from_a_trusted_proxy(settings: Settings) -> None:
    spoofed = [{"X-Forwarded-For": f"192.0.2.{n}"} for n in range(1, 4)]
    # A client cannot pick its own address...
    assert await statuses_of_new_sessions(settings, "203.0.113.50", spoofed) == [200, 429, 429]
    # ...but three real visitors behind one trusted proxy are three addresses.
    behind_proxy = await statuses_of_new_sessions(
        settings, "10.0.0.5", spoofed, trusted_proxies="10.0.0.5"
    )
    assert behind_proxy == [200, 200, 200]


async def test_zero_turns_a_limit_off(settings: Settings) -> None:
    async with (
        app_with(settings, chat_messages_per_minute=0, chat_new_sessions_per_minute=0) as app,
        client_for(app) as client,
    ):
        parent = Parent(client)
        await parent.open_chat()
        for _ in range(35):
            assert (await parent.post(text="help")).status_code == 200
        for _ in range(25):
            assert (await Parent(client).post(payload="global:start")).status_code == 200


async def test_replicas_share_the_count_through_redis(settings: Settings) -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    limits = {"chat_messages_per_minute": 4, "redis_url": REDIS_URL}
    async with (
        app_with(settings, **limits) as first,
        app_with(settings, **limits) as second,
        client_for(first) as one,
        client_for(second) as two,
    ):
        parent = Parent(one)
        await parent.open_chat()
        await parent.press("OK, let's start")
        parent.client = two  # the load balancer sends the next ones elsewhere
        await parent.say("menu")
        await parent.say("help")
        assert_refused(await parent.post(text="help"), "faster than I can read them")
