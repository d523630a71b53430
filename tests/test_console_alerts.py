"""New requests announced on every console page (issue #18): which waiting tickets a
champion's pages hear of (their areas; admins all), and when (new, or more urgent).
The pages themselves are tested in headless Chromium: tests/test_console_journey_browser.py."""

from __future__ import annotations

from typing import Any

from bot.handoff import arrivals, tickets
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
