"""A crisis alert reaches every open console page while the database is stalled (issue
#18, and the crisis rule that nothing about a crisis waits on the database).

The console's alert stream also reads the waiting requests each second, for the new-
request line; that read must never hold a crisis alert back. A real server, a real
PostgreSQL behind a proxy that stops answering, a real event stream read as the browser
reads it."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import make_url

from benchmarks.scale import PASSWORD, sign_in
from bot.config import Settings
from tests.fakes.stalling_proxy import StallingProxy
from tests.server import always_open_flows, create_account, running_server

CRISIS = "my son is having a seizure and it won't stop"
ADMIN = "alerts-admin@champion.test"


async def next_event(stream: aiohttp.StreamReader, kind: str, seconds: float) -> str:
    """Read the stream until an `event: <kind>` line; its data line is returned."""
    async with asyncio.timeout(seconds):
        while True:
            line = (await stream.readline()).decode()
            if line.strip() == f"event: {kind}":
                return (await stream.readline()).decode()


async def listen_and_alert(base: str, proxy: StallingProxy) -> float:
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as console:
        await sign_in(console, base, ADMIN)
        async with console.get(f"{base}/console/alerts") as stream:
            assert stream.status == 200
            await next_event(stream.content, "count", 30)  # the page is listening
            proxy.stall()
            started = time.perf_counter()
            async with (
                aiohttp.ClientSession() as parent,
                parent.post(
                    f"{base}/api/chat", json={"session": "stalled-database-1", "text": CRISIS}
                ) as reply,
            ):
                body = await reply.json()
            assert "replies" in body, (reply.status, body)
            assert "999" in body["replies"][0]["text"]
            data = await next_event(stream.content, "alert", 10)
            assert '"crisis"' in data and "seizure" not in data
            return time.perf_counter() - started


def test_the_crisis_alert_is_not_held_back_by_a_stalled_database(
    postgres_database: str, settings: Settings, tmp_path: Path
) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("runs once, with the PostgreSQL settings")
    url = make_url(postgres_database)
    with StallingProxy(url.port or 5432) as proxy:
        env = {
            "DATABASE_URL": url.set(port=proxy.port).render_as_string(hide_password=False),
            "DATA_DIR": str(tmp_path),
            "FLOWS_DIR": str(always_open_flows(tmp_path / "open-flows")),
            "NLU_CACHE_DIR": str(settings.classifier_cache_dir),
        }
        create_account(env, ADMIN, "admin", password=PASSWORD)
        with running_server(env, tmp_path / "server.log") as base:
            try:
                waited = asyncio.run(listen_and_alert(base, proxy))
            finally:
                proxy.resume()
    # Seconds, not the database's timeouts: the stream reads it for a second at most.
    assert waited < 5.0
