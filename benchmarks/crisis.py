"""Crisis screening: its speed on a long message, and the crisis reply while the database stalls.

1. Screening (sentences, rules and classifier) of a 4,000-character message, p50
   and p99 over many runs, in this process: the same message each time (a school
   paragraph repeated), and a different one each time (ordinary sentences from
   parents' messages, nlu_data/crisis_negatives.yml, in a random order), so that
   nothing learnt from one run can help the next.
2. A real `python -m bot serve` on PostgreSQL reached through a TCP proxy on
   127.0.0.1; the proxy then stops forwarding (the database "does not answer"), and
   a parent in crisis writes. How long until the numbers arrive, and how long an
   ordinary message takes to get its polite "try again".

    .venv/bin/python -m benchmarks.crisis [--runs 500] [--screening-only]

Figures go to benchmarks/results/crisis.json. The floors the issue sets (p99 at
most 5 ms, the crisis reply within 2 s) are reported here, not asserted in tests.
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

import httpx
import yaml

from benchmarks.chat_throughput import POSTGRES_ADMIN, _drop_database, _postgres_database
from benchmarks.timing import percentile_ms
from bot.config import load_settings
from bot.services import start_reader
from tests.fakes.stalling_proxy import StallingProxy
from tests.server import running_server

RESULTS = Path(__file__).parent / "results"
NLU_DATA = Path(__file__).parent.parent / "nlu_data"
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


def varied_messages(count: int, seed: int = 7) -> list[str]:
    """`count` different messages of about 3,930 characters, from ordinary sentences."""
    document = yaml.safe_load((NLU_DATA / "crisis_negatives.yml").read_text(encoding="utf-8"))
    pool = [s for s in document["not_crisis"] if isinstance(s, str)]
    chooser = random.Random(seed)
    messages = []
    for _ in range(count):
        parts: list[str] = []
        while sum(len(p) + 2 for p in parts) < 3900:
            parts.append(chooser.choice(pool))
        messages.append(". ".join(parts)[:3900] + " what can I do about the delay?")
    return messages


def screening_speed(runs: int) -> dict[str, Any]:
    reader = start_reader(load_settings())
    text = long_message()[:4000]
    varied = varied_messages(runs + 20)
    for message in [text, *varied[:20]]:  # warm up
        reader.read(message)
    figures: dict[str, Any] = {"characters": len(text), "runs": runs}
    for name, messages in (("same", [text] * runs), ("varied", varied[20:])):
        seconds = []
        for message in messages:
            started = time.perf_counter()
            reader.read(message)
            seconds.append(time.perf_counter() - started)
        figures[name] = {
            "p50_ms": round(percentile_ms(seconds, 0.5), 3),
            "p99_ms": round(percentile_ms(seconds, 0.99), 3),
        }
    # The figures reported before there were two kinds of message.
    figures["p50_ms"], figures["p99_ms"] = figures["same"]["p50_ms"], figures["same"]["p99_ms"]
    return figures


# Each benchmark session's secret, issued with its first reply.
_SECRETS: dict[str, str] = {}


async def _post(client: httpx.AsyncClient, session: str, **body: str) -> tuple[float, dict]:
    started = time.perf_counter()
    auth = {"Authorization": f"Bearer {_SECRETS[session]}"} if session in _SECRETS else {}
    response = await client.post(
        "/api/chat", json={"session": session, **body}, headers=auth, timeout=120
    )
    data = response.json()
    if "token" in data:
        _SECRETS[session] = data["token"]
    return time.perf_counter() - started, data


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
            env = {
                "DATA_DIR": tmp,
                "LOG_LEVEL": "WARNING",
                "DATABASE_URL": url,
                "CHAT_MESSAGES_PER_MINUTE": "0",
                "CHAT_NEW_SESSIONS_PER_MINUTE": "0",
            }
            with running_server(env, Path(tmp) / "server.log") as base:
                return asyncio.run(_stalled_round(base, proxy))
    finally:
        asyncio.run(_drop_database(name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--screening-only", action="store_true", help="skip the PostgreSQL part")
    args = parser.parse_args()
    speed = screening_speed(args.runs)
    for name, what in (("same", "the same message"), ("varied", "a different message")):
        print(
            f"screening a {speed['characters']}-character message ({what} each run): "
            f"p50 {speed[name]['p50_ms']} ms, p99 {speed[name]['p99_ms']} ms "
            f"({speed['runs']} runs)"
        )
    stalled = None if args.screening_only else stalled_database()
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
