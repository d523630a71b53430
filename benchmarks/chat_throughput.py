"""Many parents chatting at once through `POST /api/chat`: requests/s and latency.

Starts a real `python -m bot serve` process (SQLite, and PostgreSQL when one
answers on 127.0.0.1), then runs N concurrent parents, each walking a realistic
conversation (greeting, menus, a date question, free text) with a fresh session
each time round, for a fixed time. Prints one line per database and writes the
figures to benchmarks/results/chat_throughput.json.

    .venv/bin/python -m benchmarks.chat_throughput [--parents 20] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

from benchmarks.timing import percentile_ms
from tests.server import running_server

RESULTS = Path(__file__).parent / "results"
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"

# (kind, value): "press" a button by its label, or "type" some text. Over half of the
# requests are typed questions, as parents write them, so the reader (sentences,
# crisis screen, question finder) and the answer ranker are measured, not just menus.
SCRIPT: list[tuple[str, str]] = [
    ("press", "OK, let's start"),
    ("type", "how long does the council have to decide whether to assess my son"),
    (
        "type",
        "my daughter is autistic and in year 5 and the school keep ringing me to collect "
        "her at lunchtime because she is struggling, is that even allowed",
    ),
    ("type", "what's the number for childline"),
    ("type", "menu"),
    ("press", "EHC plans"),
    ("press", "Work out my deadlines"),
    ("type", "14/03/2025"),
    ("type", "can the school refuse to give him extra time in his exams"),
    ("type", "we asked for an ehcp 22 weeks ago and still no plan what can i do"),
    ("type", "do i need a diagnosis to get an EHC plan"),
    ("type", "how long do i have to appeal to the tribunal"),
    ("type", "is the school allowed to put him on a part time timetable"),
]


async def parent_loop(
    client: aiohttp.ClientSession,
    stop_at: float,
    latencies: list[float],
    errors: list[str],
    interval: float = 0.0,
) -> None:
    """One parent chatting; with `interval`, on average one message per `interval` seconds.

    Gaps are exponential (Poisson arrivals), so parents don't all send in lockstep.
    """
    next_send = time.perf_counter()

    async def pace() -> None:
        nonlocal next_send
        if interval:
            next_send += random.expovariate(1 / interval)
            await asyncio.sleep(max(0.0, next_send - time.perf_counter()))

    while time.perf_counter() < stop_at:
        await pace()
        session = uuid.uuid4().hex
        auth: dict[str, str] = {}  # the secret the first reply issues
        replies = await _post(
            client, {"session": session, "payload": "global:start"}, latencies, errors, auth
        )
        for kind, value in SCRIPT:
            if time.perf_counter() >= stop_at or replies is None:
                break
            if kind == "press":
                payload = next(
                    (b["payload"] for r in replies for b in r["buttons"] if b["label"] == value),
                    None,
                )
                if payload is None:
                    errors.append(f"no button {value!r}")
                    break
                body: dict[str, Any] = {"session": session, "payload": payload}
            else:
                body = {"session": session, "text": value}
            await pace()
            replies = await _post(client, body, latencies, errors, auth)


async def _post(
    client: aiohttp.ClientSession,
    body: dict[str, Any],
    latencies: list[float],
    errors: list[str],
    auth: dict[str, str],
) -> list[dict[str, Any]] | None:
    started = time.perf_counter()
    try:
        async with client.post("/api/chat", json=body, headers=auth) as response:
            status = response.status
            data = await response.json() if status == 200 else None
    except aiohttp.ClientError as exc:
        errors.append(type(exc).__name__)
        return None
    latencies.append(time.perf_counter() - started)
    if data is None:
        errors.append(f"HTTP {status}")
        return None
    if "token" in data:
        auth["Authorization"] = f"Bearer {data['token']}"
    replies = data["replies"]
    if any("went wrong" in r["text"] for r in replies):
        errors.append("error reply")
    return replies


async def measure(
    base: str, parents: int, seconds: float, warmup: float, rate: float = 0.0
) -> dict[str, Any]:
    """Saturation when `rate` is 0; otherwise `rate` requests/s spread over the parents."""
    interval = parents / rate if rate else 0.0
    connector = aiohttp.TCPConnector(limit=parents)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout) as client:
        warm: list[float] = []
        await asyncio.gather(
            *(parent_loop(client, time.perf_counter() + warmup, warm, []) for _ in range(parents))
        )
        latencies: list[float] = []
        errors: list[str] = []
        started = time.perf_counter()
        stop_at = started + seconds
        await asyncio.gather(
            *(parent_loop(client, stop_at, latencies, errors, interval) for _ in range(parents))
        )
        elapsed = time.perf_counter() - started
    return {
        "mode": f"paced at {rate:g} req/s" if rate else "saturation",
        "parents": parents,
        "seconds": round(elapsed, 2),
        "requests": len(latencies),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile_ms(latencies, 0.50), 2),
        "p99_ms": round(percentile_ms(latencies, 0.99), 2),
        "max_ms": round(percentile_ms(latencies, 1.0), 2),
        "errors": len(errors),
    }


async def _postgres_database() -> str | None:
    try:
        connection = await asyncpg.connect(POSTGRES_ADMIN, timeout=3)
    except Exception:
        return None
    name = f"champion_bench_{uuid.uuid4().hex[:8]}"
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    return name


async def _drop_database(name: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN)
    await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await connection.close()


def run(
    database: str, parents: int, seconds: float, warmup: float, rate: float
) -> dict[str, Any] | None:
    with tempfile.TemporaryDirectory() as tmp:
        # One load generator is one client address: flood limits off, explicitly.
        env = {
            "DATA_DIR": tmp,
            "LOG_LEVEL": "WARNING",
            "CHAT_MESSAGES_PER_MINUTE": "0",
            "CHAT_NEW_SESSIONS_PER_MINUTE": "0",
        }
        pg_name = None
        if database == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        else:
            pg_name = asyncio.run(_postgres_database())
            if pg_name is None:
                print("postgresql: skipped, no server answered on 127.0.0.1:5432")
                return None
            env["DATABASE_URL"] = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{pg_name}"
        try:
            with running_server(env, Path(tmp) / "server.log") as base:
                result = asyncio.run(measure(base, parents, seconds, warmup, rate))
        finally:
            if pg_name:
                asyncio.run(_drop_database(pg_name))
    result["database"] = database
    print(
        f"{database:10s} {result['mode']:18s} {result['parents']} parents: "
        f"{result['requests_per_second']} req/s, "
        f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, max {result['max_ms']} ms, "
        f"{result['requests']} requests, {result['errors']} errors"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", type=int, nargs="+", default=[20])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--rate",
        type=float,
        nargs="+",
        default=[0, 200],
        help="total requests/s to offer (0 = as fast as the parents can go)",
    )
    args = parser.parse_args()
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = [
        r
        for database in databases
        for parents in args.parents
        for rate in args.rate
        if (r := run(database, parents, args.seconds, args.warmup, rate)) is not None
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "chat_throughput.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
