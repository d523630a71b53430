"""How long a message takes to cross between a parent and a Parent Champion, live.

Starts a real `python -m bot serve` (SQLite by default), makes a champion account,
has a parent ask for a person over /api/chat and the champion claim the ticket.
Then it times both directions:

- champion -> parent: from the console's reply POST starting to the event arriving
  on the parent's open web chat stream (GET /api/chat/stream);
- parent -> champion: from the parent's POST /api/chat starting to the "change"
  event arriving on the champion's ticket stream (what makes the console refresh).

    .venv/bin/python -m benchmarks.relay_latency [--messages 30] [--postgresql]

With --postgresql it runs on a throwaway database on the local PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

from benchmarks.chat_throughput import POSTGRES_ADMIN, _drop_database, _postgres_database
from benchmarks.timing import percentile_ms
from tests.server import always_open_flows, create_account, running_server

RESULTS = Path(__file__).parent / "results"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
EMAIL, PASSWORD = "bench@example.org", "a long enough password"


# The parent's secret, issued with the first reply and sent as a header after that.
PARENT_AUTH: dict[str, str] = {}


async def chat(session: aiohttp.ClientSession, base: str, sid: str, **body: str) -> list[dict]:
    async with session.post(
        f"{base}/api/chat", json={"session": sid, **body}, headers=PARENT_AUTH
    ) as response:
        data = await response.json()
    if "token" in data:
        PARENT_AUTH["Authorization"] = f"Bearer {data['token']}"
    return data["replies"]


def payload_of(replies: list[dict], label: str) -> str:
    return next(b["payload"] for r in replies for b in r["buttons"] if b["label"] == label)


async def events(
    response: aiohttp.ClientResponse, arrivals: asyncio.Queue[tuple[float, str]]
) -> None:
    async for raw in response.content:
        line = raw.decode().rstrip("\n")
        if line.startswith("data:") or line.startswith("event: change"):
            await arrivals.put((time.perf_counter(), line))


def drain(queue: asyncio.Queue[tuple[float, str]]) -> None:
    while not queue.empty():
        queue.get_nowait()


async def run(base: str, messages: int, champion_base: str | None = None) -> dict[str, object]:
    """`base` serves the parent; `champion_base` (default the same) the champion."""
    console = champion_base or base
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
    async with aiohttp.ClientSession() as parent, aiohttp.ClientSession(cookie_jar=jar) as champion:
        sid = f"bench-{uuid.uuid4().hex}"
        PARENT_AUTH.clear()
        replies = await chat(parent, base, sid, payload="global:start")
        replies = await chat(parent, base, sid, payload=payload_of(replies, "OK, let's start"))
        replies = await chat(
            parent, base, sid, payload=payload_of(replies, "Talk to a Parent Champion")
        )
        await chat(parent, base, sid, text="Leeds")

        login = await (await champion.get(f"{console}/console/login")).text()
        form = {"email": EMAIL, "password": PASSWORD, "csrf_token": CSRF.search(login).group(1)}
        await champion.post(f"{console}/console/login", data=form)
        queue = await (await champion.get(f"{console}/console")).text()
        csrf = CSRF.search(queue).group(1)
        ticket = re.search(r"/console/tickets/(\d+)", queue).group(1)
        await champion.post(f"{console}/console/tickets/{ticket}/claim", data={"csrf_token": csrf})

        to_parent: asyncio.Queue[tuple[float, str]] = asyncio.Queue()
        to_champion: asyncio.Queue[tuple[float, str]] = asyncio.Queue()
        async with parent.get(f"{base}/api/chat/history", headers=PARENT_AUTH) as response:
            last_id = max(m["id"] for m in (await response.json())["messages"])
        parent_stream = await parent.get(
            f"{base}/api/chat/stream", params={"after": str(last_id)}, headers=PARENT_AUTH
        )
        champion_stream = await champion.get(f"{console}/console/tickets/{ticket}/events")
        readers = [
            asyncio.create_task(events(parent_stream, to_parent)),
            asyncio.create_task(events(champion_stream, to_champion)),
        ]
        await asyncio.sleep(0.5)
        outward: list[float] = []
        inward: list[float] = []
        for n in range(messages):
            started = time.perf_counter()
            await champion.post(
                f"{console}/console/tickets/{ticket}/reply",
                data={"csrf_token": csrf, "text": f"reply {n}"},
                headers={"Accept": "application/json"},
            )
            arrived, _line = await asyncio.wait_for(to_parent.get(), 5)
            outward.append(arrived - started)
            await asyncio.sleep(0.1)
            drain(to_champion)  # the champion's own reply changed the ticket too
            started = time.perf_counter()
            await chat(parent, base, sid, text=f"answer {n}")
            arrived, _line = await asyncio.wait_for(to_champion.get(), 5)
            inward.append(arrived - started)
            await asyncio.sleep(0.1)
            drain(to_parent)
        for task in readers:
            task.cancel()
        parent_stream.close()
        champion_stream.close()
    return {
        "messages": messages,
        "champion_to_parent_ms": {
            "p50": round(percentile_ms(outward, 0.50), 1),
            "p95": round(percentile_ms(outward, 0.95), 1),
            "max": round(max(outward) * 1000, 1),
        },
        "parent_to_champion_ms": {
            "p50": round(percentile_ms(inward, 0.50), 1),
            "p95": round(percentile_ms(inward, 0.95), 1),
            "max": round(max(inward) * 1000, 1),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=30)
    parser.add_argument("--postgresql", action="store_true", help="a throwaway PostgreSQL database")
    parser.add_argument(
        "--two-processes",
        action="store_true",
        help="parent and champion on two `serve` processes (needs --postgresql)",
    )
    parser.add_argument("--redis", default="", help="REDIS_URL for --two-processes")
    args = parser.parse_args()
    if args.two_processes and not args.postgresql:
        raise SystemExit("--two-processes needs --postgresql (one database for both processes)")
    postgres = asyncio.run(_postgres_database()) if args.postgresql else None
    if args.postgresql and postgres is None:
        raise SystemExit(f"PostgreSQL is not reachable at {POSTGRES_ADMIN}")
    try:
        measure(args.messages, postgres, args.two_processes, args.redis)
    finally:
        if postgres:
            asyncio.run(_drop_database(postgres))


def measure(messages: int, postgres: str | None, two: bool = False, redis_url: str = "") -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = {
            "DATABASE_URL": (
                f"{POSTGRES_ADMIN.rsplit('/', 1)[0]}/{postgres}"
                if postgres
                else f"sqlite:///{tmp / 'relay.sqlite3'}"
            ),
            "DATA_DIR": str(tmp),
            "FLOWS_DIR": str(always_open_flows(tmp / "flows")),
            "CHAT_MESSAGES_PER_MINUTE": "0",
            "CHAT_NEW_SESSIONS_PER_MINUTE": "0",
        }
        create_account(env, EMAIL, "champion", areas=("Leeds",), password=PASSWORD)
        if redis_url:
            env["REDIS_URL"] = redis_url
        with running_server(env, tmp / "server.log") as base:
            if two:
                with running_server(env, tmp / "second.log") as other:
                    figures = asyncio.run(run(other, messages, champion_base=base))
            else:
                figures = asyncio.run(run(base, messages))
    database = "postgresql" if postgres else "sqlite"
    if two:
        database += "-two-processes" + ("-redis" if redis_url else "")
    figures["database"] = database
    print(json.dumps(figures))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"relay_latency_{database}.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
