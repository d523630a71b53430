"""A stalled, locked or read-only database: liveness stays instant, readiness says no fast.

/healthz never touches the database, so an orchestrator does not restart a process
that is merely waiting on it; /readyz answers 503 within 5 seconds, so a load
balancer stops sending parents to a process that cannot serve them.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from bot.config import Settings
from tests.conftest import running_app, running_app_behind_stall

READY_WITHIN = 5.0


async def timed_get(client: httpx.AsyncClient, path: str) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = await client.get(path)
    return response, time.perf_counter() - started


def sqlite_path(settings: Settings) -> Path:
    return Path(settings.database_url.split("///", 1)[1])


async def test_healthz_is_instant_and_readyz_says_no_while_sqlite_is_locked(
    settings: Settings,
) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("locks the SQLite file; PostgreSQL is black-holed in the next test")
    async with running_app(settings) as (_app, client):
        assert (await client.get("/readyz")).status_code == 200
        other = sqlite3.connect(sqlite_path(settings), timeout=0.1, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
        try:
            # Readiness waits on the lock in the background while liveness is asked.
            readiness = asyncio.create_task(timed_get(client, "/readyz"))
            await asyncio.sleep(0.2)
            for _ in range(5):
                health, seconds = await timed_get(client, "/healthz")
                assert health.status_code == 200 and seconds < 0.3
            ready, seconds = await readiness
            assert ready.status_code == 503 and seconds < READY_WITHIN
            assert ready.json()["ready"] is False
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert (await client.get("/readyz")).status_code == 200


async def test_readyz_says_no_within_5_seconds_when_postgresql_does_not_answer(
    postgres_database: str, settings: Settings
) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("runs once, with the PostgreSQL settings")
    async with running_app_behind_stall(settings, postgres_database) as (_app, client, proxy):
        assert (await client.get("/readyz")).status_code == 200
        proxy.stall()
        ready, seconds = await timed_get(client, "/readyz")
        assert ready.status_code == 503 and seconds < READY_WITHIN
        assert ready.json()["ready"] is False
        health, seconds = await timed_get(client, "/healthz")
        assert health.status_code == 200 and seconds < 0.3
        proxy.resume()
        # Once the database answers again, so does readiness.
        deadline = time.monotonic() + 30
        while (await client.get("/readyz")).status_code != 200:
            assert time.monotonic() < deadline, "readiness did not come back"
            await asyncio.sleep(0.5)


async def test_readyz_fails_on_a_read_only_sqlite_database(settings: Settings) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("SQLite opened read-only; PostgreSQL's read-only mode is the next test")
    async with running_app(settings) as (_app, client):
        assert (await client.get("/readyz")).status_code == 200
    # The same, migrated file, opened read-only (as on a read-only volume or a copy).
    read_only = f"sqlite:///file:{sqlite_path(settings)}?mode=ro&uri=true"
    async with running_app(settings.model_copy(update={"database_url": read_only})) as (
        _app,
        client,
    ):
        ready, seconds = await timed_get(client, "/readyz")
        assert ready.status_code == 503 and seconds < READY_WITHIN
        assert "refuses writes" in ready.json()["reason"]
        assert (await client.get("/healthz")).status_code == 200


async def _admin(sql: str, database: str) -> None:
    # Run from another database: ALTER DATABASE cannot run inside the one it changes.
    connection = await asyncpg.connect(
        make_url(database).set(database="postgres").render_as_string(hide_password=False)
    )
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _read_only(database: str, on: bool) -> None:
    name = make_url(database).database
    await _admin(
        f'ALTER DATABASE "{name}" SET default_transaction_read_only = {"on" if on else "off"}',
        database,
    )
    # Open sessions keep the old default: end them, as a failover would.
    await _admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{name}' AND pid <> pg_backend_pid()",
        database,
    )


async def test_readyz_fails_on_a_read_only_postgresql_database(
    postgres_database: str, settings: Settings
) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("runs once, with the PostgreSQL settings")
    async with running_app(settings) as (_app, client):
        assert (await client.get("/readyz")).status_code == 200
        await _read_only(postgres_database, True)
        try:
            ready, seconds = await timed_get(client, "/readyz")
            assert ready.status_code == 503 and seconds < READY_WITHIN
            assert "refuses writes" in ready.json()["reason"]
        finally:
            await _read_only(postgres_database, False)
        assert (await client.get("/readyz")).status_code == 200
