"""A console page's live streams end soon after its session does (issue #18).

Before, a stream checked the session only when it connected: a champion who signed
out (or whose account was turned off) on a shared laptop left open tabs still hearing
of new requests, with their numbers and areas. A real server, real streams read as
the browser reads them, and the real sign-out form."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import aiohttp
import httpx

from benchmarks.scale import CSRF, sign_in
from bot.web.live import SESSION_CHECK_SECONDS
from tests.chat import Parent
from tests.console import ask_for_a_champion
from tests.server import always_open_flows, create_account, running_server

LEAVING = "leaving@champion.test"
STAYING = "staying@champion.test"
STREAMS = ("/console/alerts", "/console/events", "/console/tickets/{ticket}/events")


async def read_until_closed(stream: aiohttp.StreamReader, seconds: float) -> bool:
    """True if the server ends the stream within `seconds`."""
    try:
        async with asyncio.timeout(seconds):
            while await stream.readline():
                pass
        return True
    except TimeoutError:
        return False


async def streams_after_one_signs_out(base: str) -> dict[str, bool]:
    async with httpx.AsyncClient(base_url=base) as chat:
        await ask_for_a_champion(Parent(chat), "Leeds")  # a ticket both can watch
    leaving = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    staying = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with leaving, staying:
        await sign_in(leaving, base, LEAVING)
        await sign_in(staying, base, STAYING)
        queue = await (await leaving.get(f"{base}/console")).text()
        ticket = re.search(r'href="/console/tickets/(\d+)"', queue).group(1)  # type: ignore[union-attr]
        opened = [
            await client.get(f"{base}{path.format(ticket=ticket)}")
            for client in (leaving, staying)
            for path in STREAMS
        ]
        for response in opened:
            assert response.status == 200
            await response.content.readline()  # "retry: …": the page is listening
        page = await (await leaving.get(f"{base}/console")).text()
        form = {"csrf_token": CSRF.search(page).group(1)}  # type: ignore[union-attr]
        async with leaving.post(f"{base}/console/logout", data=form) as signed_out:
            assert "/console/login" in str(signed_out.url)
        wait = SESSION_CHECK_SECONDS + 5
        ended = await asyncio.gather(*(read_until_closed(r.content, wait) for r in opened))
        for response in opened:
            response.close()
        names = [f"{who} {path}" for who in ("leaving", "staying") for path in STREAMS]
        return dict(zip(names, ended, strict=True))


def test_signing_out_ends_that_pages_streams_and_no_one_elses(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'streams.sqlite3'}",
        "DATA_DIR": str(tmp_path),
        "FLOWS_DIR": str(always_open_flows(tmp_path / "flows")),
    }
    create_account(env, LEAVING, "champion", areas=("Leeds",))
    create_account(env, STAYING, "champion", areas=("Leeds",))
    with running_server(env, tmp_path / "server.log") as base:
        ended = asyncio.run(streams_after_one_signs_out(base))
    assert ended == {
        "leaving /console/alerts": True,
        "leaving /console/events": True,
        "leaving /console/tickets/{ticket}/events": True,
        "staying /console/alerts": False,
        "staying /console/events": False,
        "staying /console/tickets/{ticket}/events": False,
    }
