"""Crisis screening: its speed on a long message, and the crisis reply while the database stalls.

1. Screening (sentences, rules and classifier) of a 4,000-character message, p50
   and p99 over many runs, in this process.
2. A real `python -m bot serve` on PostgreSQL reached through a TCP proxy on
   127.0.0.1; the proxy then stops forwarding (the database "does not answer"), and
   a parent in crisis writes. How long until the numbers arrive, and how long an
   ordinary message takes to get its polite "try again".

    .venv/bin/python -m benchmarks.crisis [--runs 500]

Figures go to benchmarks/results/crisis.json. The floors the issue sets (p99 at
most 5 ms, the crisis reply within 2 s) are reported here, not asserted in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from benchmarks.chat_throughput import POSTGRES_ADMIN, _drop_database, _postgres_database
from benchmarks.timing import percentile_ms
from bot.config import load_settings
from bot.services import start_reader
from tests.fakes.stalling_proxy import StallingProxy
from tests.server import running_server

RESULTS = Path(__file__).parent / "results"
CRISIS = "my son has taken a whole packet of paracetamol and he is being sick"
ORDINARY = "how do I ask the council for an EHC needs assessment"


def long_message() -> str:
    paragraph = (
        "We have been waiting twenty weeks for the EHCP and the council still have not sent "
        "a draft. The school say they cannot meet his needs and he is on a part time timetable, "
        "which they say is temporary but it has been months now. "
    )
    text = paragraph * 20
    return text[:3900] + " what can I do about the delay?"


def screening_speed(runs: int) -> dict[str, Any]:
    reader = start_reader(load_settings())
    text = long_message()[:4000]
    reader.read(text)  # warm up
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        reader.read(text)
        seconds.append(time.perf_counter() - started)
    return {
        "characters": len(text),
        "runs": runs,
        "p50_ms": round(percentile_ms(seconds, 0.5), 3),
        "p99_ms": round(percentile_ms(seconds, 0.99), 3),
    }


async def _post(client: httpx.AsyncClient, session: str, **body: str) -> tuple[float, dict]:
    started = time.perf_counter()
    response = await client.post("/api/chat", json={"session": session, **body}, timeout=120)
    return time.perf_counter() - started, response.json()


async def _stalled_round(base: str, proxy: StallingProxy) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base) as client:
        crisis_session = f"bench-{uuid.uuid4().hex}"
        ordinary_session = f"bench-{uuid.uuid4().hex}"
        for session in (crisis_session, ordinary_session):
            await _post(client, session, payload="global:start")
            await _post(client, session, payload="global:agree")
        proxy.stall()
        crisis_seconds, crisis_body = await _post(client, crisis_session, text=CRISIS)
        ordinary_seconds, ordinary_body = await _post(client, ordinary_session, text=ORDINARY)
        started = time.perf_counter()
        health = await client.get("/healthz", timeout=30)
        health_seconds = time.perf_counter() - started
    first = (crisis_body.get("replies") or [{}])[0].get("text", "")
    return {
        "crisis_reply_seconds": round(crisis_seconds, 3),
        "crisis_reply_has_numbers": "999" in first and "116 123" in first,
        "ordinary_reply_seconds": round(ordinary_seconds, 3),
        "ordinary_reply": (ordinary_body.get("replies") or [{}])[0].get("text", "")[:80],
        "healthz_seconds": round(health_seconds, 3),
        "healthz_status": health.status_code,
    }


def stalled_database() -> dict[str, Any] | None:
    name = asyncio.run(_postgres_database())
    if name is None:
        print("stalled database: skipped, no PostgreSQL on 127.0.0.1:5432")
        return None
    try:
        with StallingProxy(5432) as proxy, tempfile.TemporaryDirectory() as tmp:
            url = POSTGRES_ADMIN.rsplit("/", 1)[0].replace(":5432", f":{proxy.port}") + f"/{name}"
            env = {"DATA_DIR": tmp, "LOG_LEVEL": "WARNING", "DATABASE_URL": url}
            with running_server(env, Path(tmp) / "server.log") as base:
                return asyncio.run(_stalled_round(base, proxy))
    finally:
        asyncio.run(_drop_database(name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args()
    speed = screening_speed(args.runs)
    print(
        f"screening a {speed['characters']}-character message: "
        f"p50 {speed['p50_ms']} ms, p99 {speed['p99_ms']} ms ({speed['runs']} runs)"
    )
    stalled = stalled_database()
    if stalled is not None:
        print(
            f"PostgreSQL not answering: crisis reply in {stalled['crisis_reply_seconds']} s "
            f"(numbers: {stalled['crisis_reply_has_numbers']}), ordinary message answered in "
            f"{stalled['ordinary_reply_seconds']} s ({stalled['ordinary_reply']!r}), "
            f"/healthz {stalled['healthz_status']} in {stalled['healthz_seconds']} s"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "crisis.json").write_text(
        json.dumps({"screening": speed, "stalled_database": stalled}, indent=2)
    )


if __name__ == "__main__":
    main()
