"""The console with a busy queue (issue #18): queue and ticket pages, p95.

Fills a database with 1,000 open tickets (and 25,000 parents, 250,000 messages and
5,000 tickets in all: benchmarks/scale_fill.py at scale 0.25), starts a real
`python -m bot serve` on it, signs in as an admin (every area) and as a champion
(Leeds and Bradford), and times, one request after another:

- the queue page, GET /console, 40 times each;
- ticket pages, GET /console/tickets/<id>, 40 different open tickets (as the admin,
  so every one may be opened; each opening is audited, as in real use).

    .venv/bin/python -m benchmarks.console_pages [--database sqlite|postgresql|both]

Prints one line per figure and writes benchmarks/results/console_pages_<database>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from sqlalchemy import create_engine, make_url, text

from benchmarks.scale import (
    ADMIN,
    CHAMPION,
    PASSWORD,
    RESULTS,
    migrate,
    server_env,
    sign_in,
    throwaway_database,
    time_page,
)
from benchmarks.scale_fill import Plan, fill
from benchmarks.timing import percentile_ms
from tests.server import always_open_flows, create_account, running_server

OPEN_TICKETS = 1_000
SCALE = 0.25  # 5,000 tickets in all: a quarter may be open


def open_ticket_ids(url: str, count: int) -> list[int]:
    query = "SELECT id FROM tickets WHERE status <> 'closed' ORDER BY id LIMIT {}".format
    if url.startswith("sqlite"):
        engine = create_engine(make_url(url).set(drivername="sqlite+pysqlite"))
        try:
            with engine.connect() as connection:
                return [row.id for row in connection.execute(text(query(int(count))))]
        finally:
            engine.dispose()

    async def fetch() -> list[int]:
        connection = await asyncpg.connect(url)
        try:
            return [row["id"] for row in await connection.fetch(query(int(count)))]
        finally:
            await connection.close()

    return asyncio.run(fetch())


async def time_tickets(base: str, email: str, ticket_ids: list[int]) -> dict[str, Any]:
    """Open each ticket page once, one after another."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as client:
        await sign_in(client, base, email)
        durations: list[float] = []
        statuses: set[int] = set()
        for ticket_id in ticket_ids:
            started = time.perf_counter()
            async with client.get(f"{base}/console/tickets/{ticket_id}") as response:
                await response.read()
                statuses.add(response.status)
            durations.append(time.perf_counter() - started)
    return {
        "requests": len(ticket_ids),
        "p50_ms": round(percentile_ms(durations, 0.50), 1),
        "p95_ms": round(percentile_ms(durations, 0.95), 1),
        "max_ms": round(percentile_ms(durations, 1.0), 1),
        "statuses": sorted(statuses),
    }


def run(database: str) -> dict[str, Any]:
    plan = Plan(SCALE, open_tickets=OPEN_TICKETS)
    result: dict[str, Any] = {
        "database": database,
        "command": " ".join(
            [Path(sys.executable).name, "-m", "benchmarks.console_pages", *sys.argv[1:]]
        ),
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        always_open_flows(tmp / "flows")
        with throwaway_database(database, tmp, "console") as url:
            asyncio.run(migrate(url))
            fill(url, plan)
            ticket_ids = open_ticket_ids(url, 40)
            result["open_tickets"] = len(open_ticket_ids(url, OPEN_TICKETS * 2))
            env = server_env(tmp, url)
            create_account(env, ADMIN, "admin", password=PASSWORD)
            create_account(
                env, CHAMPION, "champion", areas=("Leeds", "Bradford"), password=PASSWORD
            )
            with running_server(env, tmp / "console.log") as base:
                result["queue_admin"] = asyncio.run(time_page(base, ADMIN, "/console", 40))
                result["queue_champion"] = asyncio.run(time_page(base, CHAMPION, "/console", 40))
                result["ticket_admin"] = asyncio.run(time_tickets(base, ADMIN, ticket_ids))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    RESULTS.mkdir(exist_ok=True)
    for database in databases:
        result = run(database)
        print(f"{database:10s} open tickets: {result['open_tickets']}")
        for name in ("queue_admin", "queue_champion", "ticket_admin"):
            figures = result[name]
            print(
                f"{database:10s} {name}: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms,"
                f" max {figures['max_ms']} ms, HTTP {figures['statuses']}"
            )
        out = RESULTS / f"console_pages_{database}.json"
        out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
