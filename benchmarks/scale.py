"""Champion with 18 months of a large service behind it (issue #16, "Scale").

Fills a database with 100,000 parents, 1,000,000 messages, 20,000 tickets and
50,000 bookings (times `--scale`; see benchmarks/scale_fill.py), then, with a real
`python -m bot serve` on it, measures what people would notice, against the floors:

- chat p50 / p99, 20 parents paced at `--rate` req/s; p99 at most 1.5 x the same
  load on an empty database (measured first, same machine, same run);
- the console queue page (GET /console), as an admin (every area) and as a champion:
  p95 at most 100 ms;
- the reports page (GET /console/reports): at most 2 s;
- one erasure: a parent with 400 messages, an open ticket and bookings types
  "delete my data" and confirms (the confirming request is timed);
- the server's resident memory after all that (VmRSS, and its peak VmHWM): at most
  400 MB;
- the retention sweep (RETENTION_MONTHS=12) over the
  10,000 conversations the fill made due: at most 60 s. The server runs with
  RETENTION_MONTHS=120 so its own start-up sweep leaves them for this measurement,
  which runs the scheduler's sweep (bot/privacy/retention.py: batches of 200 parents
  on SQLite, 500 on PostgreSQL, a short pause between) until none is due.

    .venv/bin/python -m benchmarks.scale [--scale 1.0] [--database sqlite|postgresql|both]

Writes benchmarks/results/scale_<database>.json. At scale 1.0 the fill takes a few
minutes per database and the whole run about 10 minutes per database on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks.chat_throughput import (
    POSTGRES_ADMIN,
    _drop_database,
    _postgres_database,
    measure,
)
from benchmarks.scale_fill import HEAVY_MESSAGES, Plan, fill, row_counts, token_for
from benchmarks.timing import percentile_ms
from bot.config import PROJECT_ROOT
from bot.privacy.retention import BATCH, sweep_retention
from bot.store.db import Database
from bot.store.migrate import upgrade
from tests.server import always_open_flows, create_account, running_server

RESULTS = Path(__file__).parent / "results"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ADMIN, CHAMPION = "scale-admin@example.org", "scale-champion@example.org"
PASSWORD = "a long enough password"
FLOORS = {
    "chat_p99_ratio": 1.5,
    "queue_p95_ms": 100,
    "reports_ms": 2000,
    "retention_sweep_s": 60,
    "rss_mb": 400,
}


@contextmanager
def throwaway_database(database: str, tmp: Path, name: str) -> Iterator[str]:
    """A DATABASE_URL for an empty database (a SQLite file, or a PostgreSQL database
    dropped afterwards)."""
    if database == "sqlite":
        yield f"sqlite:///{tmp / name}.sqlite3"
        return
    pg_name = asyncio.run(_postgres_database())
    if pg_name is None:
        raise SystemExit(f"PostgreSQL is not reachable at {POSTGRES_ADMIN}")
    try:
        yield POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{pg_name}"
    finally:
        asyncio.run(_drop_database(pg_name))


def async_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+asyncpg://" + url[len("postgresql://") :]
    return url


async def migrate(url: str) -> None:
    database = Database(async_url(url))
    try:
        await upgrade(database)
    finally:
        await database.dispose()


def server_env(tmp: Path, url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "DATA_DIR": str(tmp),
        "FLOWS_DIR": str(tmp / "flows"),
        "LOG_LEVEL": "WARNING",
        "CHAT_MESSAGES_PER_MINUTE": "0",
        "CHAT_NEW_SESSIONS_PER_MINUTE": "0",
        # The retention sweep is measured on its own, below, not at server start.
        "RETENTION_MONTHS": "120",
        # Trained models are keyed by their data's hash: train once, not per server
        # (on a busy machine training alone can outlast running_server's 60 s wait).
        "NLU_CACHE_DIR": str(PROJECT_ROOT / "data" / "nlu-cache"),
    }


# -- measurements against a running server ----------------------------------------


async def sign_in(client: aiohttp.ClientSession, base: str, email: str) -> None:
    page = await (await client.get(f"{base}/console/login")).text()
    form = {"email": email, "password": PASSWORD, "csrf_token": CSRF.search(page).group(1)}
    async with client.post(f"{base}/console/login", data=form) as response:
        if response.status >= 400 or "/login" in str(response.url):
            raise RuntimeError(f"could not sign in as {email}: HTTP {response.status}")


async def time_page(base: str, email: str, path: str, times: int) -> dict[str, Any]:
    """GET `path` `times` times, one after another, as a signed-in member of staff."""
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
    async with aiohttp.ClientSession(cookie_jar=jar) as client:
        await sign_in(client, base, email)
        durations: list[float] = []
        statuses: set[int] = set()
        size = 0
        for _ in range(times):
            started = time.perf_counter()
            async with client.get(f"{base}{path}") as response:
                body = await response.read()
                statuses.add(response.status)
            durations.append(time.perf_counter() - started)
            size = len(body)
    return {
        "requests": times,
        "p50_ms": round(percentile_ms(durations, 0.50), 1),
        "p95_ms": round(percentile_ms(durations, 0.95), 1),
        "max_ms": round(percentile_ms(durations, 1.0), 1),
        "statuses": sorted(statuses),
        "bytes": size,
    }


async def erase_one(base: str, plan: Plan) -> dict[str, Any]:
    """The heavy parent asks to delete their data and confirms; the confirmation is timed."""
    parent_id = plan.heavy_parent
    headers = {"Authorization": f"Bearer {token_for(parent_id)}"}
    body = {"session": f"scale{parent_id:08d}"}
    async with aiohttp.ClientSession(base) as client:
        # A champion has their chat (an open ticket): back to the bot, then "delete".
        for payload in ("global:bot", "global:delete"):
            async with client.post(
                "/api/chat", json={**body, "payload": payload}, headers=headers
            ) as r:
                asked = await r.json()
        started = time.perf_counter()
        async with client.post("/api/chat", json={**body, "text": "yes"}, headers=headers) as r:
            done = await r.json()
            status = r.status
        elapsed = time.perf_counter() - started
    texts = [reply["text"] for reply in done.get("replies", [])]
    return {
        "ms": round(elapsed * 1000, 1),
        "status": status,
        "messages_of_parent": HEAVY_MESSAGES,
        "erased": any("has been deleted" in t for t in texts),
        "asked": any("Delete everything" in r["text"] for r in asked.get("replies", [])),
    }


def server_memory(port: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) of our own `bot serve` child listening on `port`."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and str(port).encode() in cmdline and b"serve" in cmdline:
            fields = dict(
                line.split(":", 1) for line in (entry / "status").read_text().splitlines()
            )
            return {
                "rss_mb": round(int(fields["VmRSS"].split()[0]) / 1024, 1),
                "peak_rss_mb": round(int(fields["VmHWM"].split()[0]) / 1024, 1),
            }
    return {}


async def retention_sweep(url: str, months: int = 12) -> dict[str, Any]:
    """The scheduler's sweep (bot/privacy/retention.py), until nothing more is due."""
    database = Database(async_url(url))
    started = time.perf_counter()
    try:
        erased = await sweep_retention(database, months)
    finally:
        await database.dispose()
    seconds = time.perf_counter() - started
    return {
        "erased": erased,
        "seconds": round(seconds, 2),
        "batch": BATCH[database.dialect],
        "per_conversation_ms": round(seconds / max(1, erased) * 1000, 2),
    }


# -- one database, end to end ------------------------------------------------------


def run(database: str, scale: float, seconds: float, warmup: float, rate: float) -> dict:
    plan = Plan(scale)
    result: dict[str, Any] = {
        "database": database,
        "scale": scale,
        "command": " ".join([Path(sys.executable).name, "-m", "benchmarks.scale", *sys.argv[1:]]),
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        always_open_flows(tmp / "flows")
        # 1. The same chat load on an empty database: the baseline for p99.
        with (
            throwaway_database(database, tmp, "empty") as url,
            running_server(server_env(tmp, url), tmp / "empty.log") as base,
        ):
            result["chat_empty"] = asyncio.run(measure(base, 20, seconds, warmup, rate))
        _say(database, "chat, empty database", result["chat_empty"])
        with throwaway_database(database, tmp, "full") as url:
            # 2. Fill.
            asyncio.run(migrate(url))
            started = time.perf_counter()
            written = fill(url, plan)
            result["fill_seconds"] = round(time.perf_counter() - started, 1)
            result["rows_written"] = written
            result["rows"] = row_counts(url)
            _say(database, f"filled in {result['fill_seconds']} s", result["rows"])
            env = server_env(tmp, url)
            create_account(env, ADMIN, "admin", password=PASSWORD)
            create_account(
                env, CHAMPION, "champion", areas=("Leeds", "Bradford"), password=PASSWORD
            )
            # 3. The server on the full database.
            with running_server(env, tmp / "full.log") as base:
                port = int(base.rsplit(":", 1)[1])
                result["memory_at_start"] = server_memory(port)
                result["chat_full"] = asyncio.run(measure(base, 20, seconds, warmup, rate))
                _say(database, "chat, full database", result["chat_full"])
                result["queue_admin"] = asyncio.run(time_page(base, ADMIN, "/console", 40))
                result["queue_champion"] = asyncio.run(time_page(base, CHAMPION, "/console", 40))
                _say(database, "queue page (admin)", result["queue_admin"])
                _say(database, "queue page (champion)", result["queue_champion"])
                result["reports"] = asyncio.run(time_page(base, ADMIN, "/console/reports", 5))
                _say(database, "reports page", result["reports"])
                result["erasure"] = asyncio.run(erase_one(base, plan))
                _say(database, "one erasure", result["erasure"])
                result["memory"] = server_memory(port)
                _say(database, "server memory", result["memory"])
            # 4. The retention sweep, with the server stopped (nothing else writing).
            result["retention_sweep"] = asyncio.run(retention_sweep(url))
            _say(database, "retention sweep", result["retention_sweep"])
    result["floors"] = judge(result)
    return result


def judge(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each figure against its floor from issue #16."""
    empty_p99 = result["chat_empty"]["p99_ms"]
    ratio = result["chat_full"]["p99_ms"] / empty_p99 if empty_p99 else float("inf")
    queue_p95 = max(result["queue_admin"]["p95_ms"], result["queue_champion"]["p95_ms"])
    figures = {
        "chat_p99_ratio": round(ratio, 2),
        "queue_p95_ms": queue_p95,
        "reports_ms": result["reports"]["max_ms"],
        "retention_sweep_s": result["retention_sweep"]["seconds"],
        "rss_mb": result["memory"].get("peak_rss_mb", float("inf")),
    }
    return {
        name: {"value": value, "floor": FLOORS[name], "ok": value <= FLOORS[name]}
        for name, value in figures.items()
    }


def _say(database: str, what: str, figures: object) -> None:
    print(f"{database:10s} {what}: {json.dumps(figures)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = issue #16's numbers")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=20, help="chat measurement length")
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--rate", type=float, default=20, help="chat requests/s, 20 parents")
    args = parser.parse_args()
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    RESULTS.mkdir(exist_ok=True)
    for database in databases:
        result = run(database, args.scale, args.seconds, args.warmup, args.rate)
        for name, verdict in result["floors"].items():
            mark = "ok" if verdict["ok"] else "OVER"
            print(f"{database:10s} {name}: {verdict['value']} (floor {verdict['floor']}) {mark}")
        (RESULTS / f"scale_{database}.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
