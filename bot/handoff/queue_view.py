"""The queue as a champion reads it: who to answer next, and why.

Each open ticket with a preview of the parent's last message (only if they agreed to
the privacy notice: without it their words are kept for champions to read in the
ticket, not to be shown in a list), how many of their messages the champion holding
it has not read, and how long the parent has waited for a person. Filters narrow the
champion's own queue; they never reach past the areas `tickets.queue` allows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, case, false, func, or_, select

from bot.handoff import tickets as ticket_store
from bot.handoff.tickets import TicketView
from bot.store.conversations import consenting_parents
from bot.store.models import Message, Ticket, as_utc, utcnow

tickets = Ticket.__table__
messages = Message.__table__

PREVIEW_CHARS = 80
# The preview is of this request only: the parent's message that asked for a person is
# stored moments before the ticket, so it counts; anything older (an earlier chat with
# the bot, or an earlier ticket) is another conversation and is not shown in the list.
REQUEST_GRACE = dt.timedelta(minutes=1)
NO_AREA = "none"  # the area filter's value for tickets from parents who didn't say


@dataclass(frozen=True, slots=True)
class QueueFilters:
    """What a champion narrowed the queue to; None (or empty) means any."""

    area: str | None = None  # a council's name, or NO_AREA
    urgency: str | None = None
    category: str | None = None
    channel: str | None = None
    waiting_over: int | None = None  # minutes
    search: str = ""

    @property
    def active(self) -> bool:
        return any(
            value not in (None, "")
            for value in (
                self.area,
                self.urgency,
                self.category,
                self.channel,
                self.waiting_over,
                self.search,
            )
        )


@dataclass(frozen=True, slots=True)
class QueueRow:
    ticket: TicketView
    preview: str | None  # None: nothing to show, or the parent didn't agree
    hidden: bool  # True: they wrote, but did not agree to show it here
    unread: int
    waiting_since: dt.datetime | None  # None: a champion has answered everything


def preview_of(text: str | None, limit: int = PREVIEW_CHARS) -> str | None:
    """The start of a message on one line, cut on a word boundary with an ellipsis."""
    words = " ".join((text or "").split())
    if not words:
        return None
    if len(words) <= limit:
        return words
    cut = words[: limit + 1].rsplit(" ", 1)[0] if " " in words[: limit + 1] else ""
    # One very long word (a link, say): cut inside it rather than show nothing.
    cut = cut if len(cut) >= limit // 2 else words[:limit]
    return cut.rstrip(" ,.;:-") + "…"


def _search_terms(search: str) -> Any:
    """A ticket number ("12" or "#12"), or words found in the category or area."""
    wanted = search.strip().lstrip("#").strip()
    if wanted.isascii() and wanted.isdigit():
        # Ticket ids are 64-bit: a longer number matches nothing (and must not overflow).
        number = int(wanted)
        return tickets.c.id == number if number < 2**63 else false()
    as_code = "_".join(wanted.lower().split())
    return or_(
        func.lower(tickets.c.category).contains(as_code, autoescape=True),
        func.lower(tickets.c.local_authority).contains(wanted.lower(), autoescape=True),
    )


def _filtered(filters: QueueFilters) -> list[Any]:
    conditions: list[Any] = []
    if filters.area == NO_AREA:
        conditions.append(tickets.c.local_authority.is_(None))
    elif filters.area:
        conditions.append(tickets.c.local_authority == filters.area)
    if filters.urgency:
        conditions.append(tickets.c.urgency == filters.urgency)
    if filters.category:
        conditions.append(tickets.c.category == filters.category)
    if filters.channel:
        conditions.append(tickets.c.channel == filters.channel)
    if filters.search.strip():
        conditions.append(_search_terms(filters.search))
    return conditions


@dataclass(slots=True)
class _Facts:
    """What one pass over a parent's messages finds for their open ticket."""

    last_words_id: int | None = None
    answered_at: dt.datetime | None = None  # a champion's latest reply on this ticket
    first_unanswered: dt.datetime | None = None
    since_read: int = 0


def _facts(connection: Connection, found: list[TicketView]) -> dict[int, _Facts]:
    """Per ticket: the parent's last words, unread count and waiting start.

    Aggregated in the database, two queries for the whole queue: measured at 250 open
    tickets and 1,000,000 messages (benchmarks/scale_fill.py), a correlated subquery
    per fact took 110 ms on SQLite, and reading the rows into Python 70 ms."""
    ids = [t.id for t in found if t.parent_id is not None]
    if not ids:
        return {}
    parent_wrote = messages.c.direction == "in"
    champion_wrote = and_(
        messages.c.direction == "out",
        messages.c.staff_user_id.is_not(None),  # the bot's notices never answer the parent
        messages.c.created_at >= tickets.c.created_at,
    )
    rows = connection.execute(
        select(
            tickets.c.id,
            func.max(case((and_(parent_wrote, messages.c.text.is_not(None)), messages.c.id))),
            func.max(case((champion_wrote, messages.c.created_at))),
            func.sum(
                case(
                    (and_(parent_wrote, messages.c.created_at > tickets.c.last_read_at), 1), else_=0
                )
            ),
        )
        .join(messages, messages.c.parent_id == tickets.c.parent_id)
        .where(tickets.c.id.in_(ids))
        .group_by(tickets.c.id)
    )
    facts = {row[0]: _Facts(row[1], as_utc(row[2]), None, int(row[3] or 0)) for row in rows}
    answered = {ticket_id: f.answered_at for ticket_id, f in facts.items() if f.answered_at}
    if answered:
        # The parent's first message since the champion's last reply (the wait's start).
        latest_reply = (
            select(func.max(messages.c.created_at))
            .where(
                messages.c.parent_id == tickets.c.parent_id,
                messages.c.direction == "out",
                messages.c.staff_user_id.is_not(None),
            )
            .correlate(tickets)
            .scalar_subquery()
        )
        after = messages.alias("after_reply")
        rows = connection.execute(
            select(tickets.c.id, func.min(after.c.created_at))
            .join(after, after.c.parent_id == tickets.c.parent_id)
            .where(
                tickets.c.id.in_(list(answered)),
                after.c.direction == "in",
                after.c.created_at > latest_reply,
            )
            .group_by(tickets.c.id)
        )
        for ticket_id, first in rows:
            facts[ticket_id].first_unanswered = as_utc(first)
    return facts


def _last_words(
    connection: Connection, facts: dict[int, _Facts], found: list[TicketView]
) -> dict[int, str]:
    """The text of each parent's last message, by ticket id, if it belongs to the
    ticket's own conversation (see REQUEST_GRACE)."""
    wanted = {f.last_words_id: ticket_id for ticket_id, f in facts.items() if f.last_words_id}
    if not wanted:
        return {}
    started = {t.id: as_utc(t.created_at) for t in found}
    rows = connection.execute(
        select(messages.c.id, messages.c.text, messages.c.created_at).where(
            messages.c.id.in_(list(wanted))
        )
    )
    return {
        wanted[row.id]: row.text or ""
        for row in rows
        if as_utc(row.created_at) >= started[wanted[row.id]] - REQUEST_GRACE
    }


def _waiting_since(ticket: TicketView, facts: _Facts | None) -> dt.datetime | None:
    if facts is None or facts.answered_at is None:
        return as_utc(ticket.created_at)  # asked for a person, no one has written yet
    return facts.first_unanswered


def _unread(ticket: TicketView, facts: _Facts | None) -> int:
    if facts is None or ticket.last_read_at is None:
        return ticket.parent_messages  # never opened by its holder: all passed on so far
    return facts.since_read


def queue_rows(
    connection: Connection, areas: list[str] | None, filters: QueueFilters | None = None
) -> list[QueueRow]:
    """The open tickets a champion may see (areas None: all), narrowed by the filters."""
    filters = filters or QueueFilters()
    now = utcnow()
    conditions = _filtered(filters)
    if filters.waiting_over is None:
        return _rows_of(connection, ticket_store.queue(connection, areas, conditions), now)
    # "Waiting longer than" is worked out from the messages, after the query, so the
    # query reads on past its page size until a page of matches (or the end) is found.
    # A wait starts no earlier than its ticket, which narrows the query itself.
    over = dt.timedelta(minutes=filters.waiting_over)
    conditions.append(tickets.c.created_at <= now - over)
    rows: list[QueueRow] = []
    offset = 0
    while len(rows) < ticket_store.QUEUE_LIMIT:
        found = ticket_store.queue(connection, areas, conditions, offset)
        rows += [
            row
            for row in _rows_of(connection, found, now)
            if row.waiting_since is not None and now - row.waiting_since >= over
        ]
        if len(found) < ticket_store.QUEUE_LIMIT:
            break
        offset += len(found)
    return rows[: ticket_store.QUEUE_LIMIT]


def _rows_of(connection: Connection, found: list[TicketView], now: dt.datetime) -> list[QueueRow]:
    facts = _facts(connection, found)
    last_words = _last_words(connection, facts, found)
    agreed = consenting_parents(connection, [t.parent_id for t in found if t.parent_id])
    rows = []
    for ticket in found:
        known = facts.get(ticket.id)
        words = last_words.get(ticket.id)
        shown = ticket.parent_id in agreed
        rows.append(
            QueueRow(
                ticket=ticket,
                preview=preview_of(words) if shown else None,
                hidden=bool(words) and not shown,
                unread=_unread(ticket, known),
                waiting_since=_waiting_since(ticket, known),
            )
        )
    return rows
