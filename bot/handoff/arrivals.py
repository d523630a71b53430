"""New requests to announce on every console page (issue #18, "alerts on every page").

The console's alert stream (bot/web/live.py) reads the waiting tickets in a champion's
areas every second and announces the ones that are new since it last looked, or that
became more urgent. What it announces is the ticket's number, urgency and council:
never the parent's words, so it can show in a system notification.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, select

from bot.handoff.tickets import _in_areas, tickets
from bot.store.models import as_utc

# More than a console page could usefully announce at once; the queue has the rest.
MAX_WAITING = 500


@dataclass(frozen=True, slots=True)
class Waiting:
    id: int
    urgency: str
    rank: int
    area: str | None
    created_at: dt.datetime | None = None

    def as_alert(self, waiting: int, raised: bool = False) -> dict[str, object]:
        """What the page is told: `waiting` is how many wait in the champion's areas;
        `raised`: not new, but more urgent than before."""
        return {
            "kind": "ticket",
            "id": self.id,
            "urgency": self.urgency,
            "area": self.area,
            "raised": raised,
            "waiting": waiting,
        }


def waiting_in(connection: Connection, areas: list[str] | None) -> dict[int, Waiting]:
    """Tickets waiting for a champion in these areas (None: every area), by id."""
    rows = connection.execute(
        select(
            tickets.c.id,
            tickets.c.urgency,
            tickets.c.urgency_rank,
            tickets.c.local_authority,
            tickets.c.created_at,
        )
        .where(tickets.c.status == "waiting", _in_areas(areas))
        .order_by(tickets.c.id.desc())
        .limit(MAX_WAITING)
    )
    return {
        row.id: Waiting(
            row.id, row.urgency, row.urgency_rank, row.local_authority, as_utc(row.created_at)
        )
        for row in rows
    }


def arrivals(
    before: dict[int, Waiting],
    now: dict[int, Waiting],
    seen_up_to: int | None = None,
    drawn: dt.datetime | None = None,
) -> list[tuple[Waiting, bool]]:
    """Waiting tickets to announce, oldest first, each with whether it was only raised:
    new since `before` (or, when the page reconnects, numbered after `seen_up_to`, the
    newest it knew of; or, on a page's first connection, made since the page was
    `drawn`), or raised in urgency since `before`."""
    announce: list[tuple[Waiting, bool]] = []
    for ticket_id in sorted(now):
        ticket, earlier = now[ticket_id], before.get(ticket_id)
        if earlier is None:
            if _new_to_the_page(ticket, seen_up_to, drawn):
                announce.append((ticket, False))
        elif ticket.rank > earlier.rank:
            announce.append((ticket, True))
    return announce


def unknown_to_the_page(
    now: dict[int, Waiting], seen_up_to: int | None, drawn: dt.datetime | None
) -> list[tuple[Waiting, bool]]:
    """On a stream's first read of the waiting tickets: those its page does not know of,
    numbered after `seen_up_to` (a reconnect) or made since the page was `drawn`; none
    when the page says neither (it shows them all already)."""
    if seen_up_to is None and drawn is None:
        return []
    return arrivals({}, now, seen_up_to, drawn)


def _new_to_the_page(ticket: Waiting, seen_up_to: int | None, drawn: dt.datetime | None) -> bool:
    if seen_up_to is not None:
        return ticket.id > seen_up_to
    if drawn is not None:
        return ticket.created_at is not None and ticket.created_at >= drawn
    return True
