"""Two `serve` processes on one PostgreSQL, live notices over Redis.

A champion signed in on one process sees, live, what a parent sends through the
other; and the Redis bridge carries notices between event buses at once.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
import uuid
from pathlib import Path

import httpx
import pytest
import redis

from bot.handoff.events import EventBus
from bot.handoff.redis_bridge import RedisBridge
from tests.chat import RemoteParent
from tests.conftest import _empty_postgres
from tests.server import PASSWORD, always_open_flows, create_account, running_server

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {type(exc).__name__}")


async def test_the_redis_bridge_carries_notices_between_processes() -> None:
    redis_or_skip()
    first, second = EventBus(), EventBus()
    bridges = [RedisBridge(REDIS_URL, first), RedisBridge(REDIS_URL, second)]
    for bridge in bridges:
        await bridge.start()
    await asyncio.sleep(0.3)  # both subscribed
    try:
        with second.subscribe("ticket:7") as subscription:
            started = time.monotonic()
            first.publish("ticket:7")
            assert await subscription.wait(2.0)
            assert time.monotonic() - started < 0.5
    finally:
        for bridge in bridges:
            await bridge.stop()


def test_a_champion_on_one_process_sees_a_parent_on_the_other_live(
    postgres_database: str, tmp_path: Path
) -> None:
    redis_or_skip()
    asyncio.run(_empty_postgres(postgres_database))  # only this test's ticket in the queue
    env = {
        "DATABASE_URL": postgres_database,
        "DATA_DIR": str(tmp_path),
        "REDIS_URL": REDIS_URL,
        "FLOWS_DIR": str(always_open_flows(tmp_path / "flows")),
    }
    email = f"sam-{uuid.uuid4().hex[:6]}@example.org"
    create_account(env, email, "champion", areas=("Leeds",))
    with (
        running_server(env, tmp_path / "a.log") as champion_side,
        running_server(env, tmp_path / "b.log") as parent_side,
    ):
        parent = RemoteParent(parent_side, f"two-{uuid.uuid4().hex}")

        def chat(**body: str) -> dict:
            return parent.post(**body).json()

        replies = chat(payload="global:start")
        ok = next(
            b["payload"]
            for r in replies["replies"]
            for b in r["buttons"]
            if b["label"] == "OK, let's start"
        )
        chat(payload=ok)
        chat(text="human")
        chat(text="Leeds")

        with httpx.Client(base_url=champion_side, timeout=10) as champion:
            login = champion.get("/console/login")
            champion.post(
                "/console/login",
                data={
                    "email": email,
                    "password": PASSWORD,
                    "csrf_token": CSRF.search(login.text).group(1),
                },
            )
            queue = champion.get("/console").text
            ticket = re.search(r"/console/tickets/(\d+)", queue).group(1)
            with champion.stream("GET", f"/console/tickets/{ticket}/events") as stream:
                lines = stream.iter_lines()
                assert next(lines).startswith("retry:")
                sent_at = time.monotonic()
                chat(text="Are you there? It's about school transport")
                for line in lines:
                    if line.startswith("event: change"):
                        break
                waited = time.monotonic() - sent_at
            assert "school transport" in champion.get(f"/console/tickets/{ticket}/live").text
        assert waited < 3.0, waited
