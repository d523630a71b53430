"""New requests announced on every console page (issue #18): which waiting tickets a
champion's pages hear of (their areas; admins all), and when (new, or more urgent).
The pages themselves are tested in headless Chromium: tests/test_console_journey_browser.py."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from typing import Any

from sqlalchemy import update

from bot.handoff import arrivals, tickets
from bot.web.live import alert_stream
from bot.web.templating import page_drawn_at
from tests.test_handoff import champion_of, waiting_parent


async def test_a_champion_hears_of_new_and_newly_urgent_requests_in_their_areas(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    database = app.state.services.database

    async def waiting(areas: list[str] | None) -> dict[int, arrivals.Waiting]:
        return await database.read(arrivals.waiting_in, areas)

    leeds_page, everywhere_page = await waiting(["Leeds"]), await waiting(None)
    assert leeds_page == everywhere_page == {}
    _parent, leeds = await waiting_parent(app, client, "Leeds")
    _other, kent = await waiting_parent(app, client, "Kent")
    _third, claimed = await waiting_parent(app, client, "Leeds")
    champion = await champion_of(app, ["Leeds"])
    assert (await champion.post(f"/console/tickets/{claimed.id}/claim")).status_code == 303

    now = await waiting(["Leeds"])
    # Kent is not her area; a claimed ticket is no longer waiting.
    assert [(t.id, raised) for t, raised in arrivals.arrivals(leeds_page, now)] == [
        (leeds.id, False)
    ]
    assert [t.id for t, _ in arrivals.arrivals(everywhere_page, await waiting(None))] == [
        leeds.id,
        kent.id,
    ]
    # What a page is told: number, urgency, council and how many wait; no one's words.
    alert = now[leeds.id].as_alert(len(now))
    assert alert == {
        "kind": "ticket",
        "id": leeds.id,
        "urgency": "routine",
        "area": "Leeds",
        "raised": False,
        "waiting": 1,
    }

    # Raised to urgent: heard again, as raised; nothing else is.
    async with database.transaction() as transaction:
        assert await transaction.run(tickets.raise_to_urgent, leeds.id, "missing school")
    later = await waiting(["Leeds"])
    raised: list[Any] = arrivals.arrivals(now, later)
    assert [(t.id, t.urgency, was_raised) for t, was_raised in raised] == [
        (leeds.id, "urgent", True)
    ]
    assert arrivals.arrivals(later, await waiting(["Leeds"])) == []

    # A page that reconnects hears only of requests after the newest it knew of.
    _fourth, newer = await waiting_parent(app, client, "Leeds")
    reconnected = arrivals.arrivals({}, await waiting(["Leeds"]), seen_up_to=leeds.id)
    assert [t.id for t, _ in reconnected] == [newer.id]


class _OpenPage:
    """The request as the alert stream sees it: a page that stays open."""

    async def is_disconnected(self) -> bool:
        return False


async def test_a_request_made_while_a_page_connects_its_alerts_is_still_announced(
    app_and_client: tuple,
) -> None:
    """Between drawing a console page and its script opening the alert stream, a request
    may arrive (a crisis among them): the stream's first read tells the page of it, and
    only of it, not of those the page was drawn with."""
    app, client = app_and_client
    services = app.state.services
    database = services.database
    _first, earlier = await waiting_parent(app, client, "Leeds")
    async with database.transaction() as transaction:
        # Made a minute before the page was drawn (so outside any slack for clocks).
        await transaction.run(
            lambda connection: connection.execute(
                update(tickets.tickets)
                .where(tickets.tickets.c.id == earlier.id)
                .values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
            )
        )
    champion = await champion_of(app, ["Leeds"])
    page = await champion.client.get("/console")
    found = re.search(r'data-alerts="/console/alerts\?drawn=(\d+)"', page.text)
    assert found, "the page does not tell its alert stream when it was drawn"
    _second, meanwhile = await waiting_parent(app, client, "Leeds")

    async def waiting() -> dict[int, arrivals.Waiting]:
        return await database.read(arrivals.waiting_in, ["Leeds"])

    drawn = page_drawn_at(found.group(1))
    stream = alert_stream(_OpenPage(), services.events, waiting, None, None, drawn)  # type: ignore[arg-type]
    try:
        async with asyncio.timeout(10):  # a stream that never tells would wait forever
            events = [await anext(stream) for _ in range(3)]
    finally:
        await stream.aclose()
    assert events[1].startswith(f"id: {meanwhile.id}\nevent: count")
    assert '"waiting": 2' in events[1]
    ticket = json.loads(events[2].split("data: ", 1)[1])
    assert events[2].split("\n")[1] == "event: ticket"
    assert (ticket["id"], ticket["area"]) == (meanwhile.id, "Leeds")

    # A value that is no page's own time is ignored, never an error.
    for wrong in ("", "yesterday", "9" * 40, "1"):
        assert page_drawn_at(wrong) is None
