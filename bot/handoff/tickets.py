"""The hand-off queue: tickets from escalation to outcome, and the relay's writes.

Plain functions over a `Connection`, run inside the caller's transaction (see
bot/store/db.py). The parent side (dispatcher) and the champion side (console)
both write here, so every rule about a ticket's life is in this one place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, or_, select, update

from bot.core.outbound import push_message
from bot.core.types import Reply
from bot.store.models import (
    Message,
    Parent,
    Referral,
    StaffUser,
    Ticket,
    TicketNote,
    as_utc,
    utcnow,
)

tickets = Ticket.__table__
notes = TicketNote.__table__
messages = Message.__table__
parents = Parent.__table__
staff_users = StaffUser.__table__
referrals = Referral.__table__

URGENCY_RANK = {"routine": 0, "urgent": 1, "crisis": 2}
OUTCOMES = {
    "advice_given": "Advice given",
    "dropin_booked": "Drop-in booked",
    "referred_sendiass": "Referred to SENDIASS",
    "referred_ipsea": "Referred to IPSEA",
    "safeguarding_referral": "Safeguarding referral made",
    "other": "Other",
}
# Set by the parent's side, never offered to champions.
PARENT_ENDED = "parent_ended"
OPEN = ("waiting", "claimed")


class TicketError(ValueError):
    """A console action that cannot be done; the message is shown to the champion."""


@dataclass(slots=True)
class HandoffRequest:
    """What the conversation knows when a parent asks for (or needs) a person."""

    crisis: bool = False
    category: str | None = None
    urgency: str = "routine"
    local_authority: str | None = None
    came_from: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    relaying: bool = True  # False: a follow-up that leaves the chat with the bot


@dataclass(frozen=True, slots=True)
class OpenTicket:
    id: int
    status: str
    relaying: bool
    urgency: str
    parent_messages: int
    champion: str | None = None  # the first name of the champion who has it, if any


def first_name(name: str | None) -> str | None:
    """What a parent sees of a champion: the first word of their name, never an e-mail."""
    words = (name or "").split()
    return words[0] if words and "@" not in words[0] else None


# Built once, not per call: open_ticket_of runs on every message, and constructing the
# statement (and its cache key) cost more CPU than running it on SQLite.
_OPEN_TICKET_OF = (
    select(
        tickets.c.id,
        tickets.c.status,
        tickets.c.relaying,
        tickets.c.urgency,
        tickets.c.parent_messages,
        staff_users.c.name,
    )
    .select_from(tickets.outerjoin(staff_users, staff_users.c.id == tickets.c.claimed_by))
    .where(tickets.c.parent_id == bindparam("parent_id"), tickets.c.status.in_(OPEN))
)


def open_ticket_of(connection: Connection, parent_id: int) -> OpenTicket | None:
    row = connection.execute(_OPEN_TICKET_OF, {"parent_id": parent_id}).first()
    if row is None:
        return None
    champion = first_name(row.name) if row.status == "claimed" else None
    return OpenTicket(
        row.id, row.status, bool(row.relaying), row.urgency, row.parent_messages, champion
    )


def request_handoff(
    connection: Connection, parent_id: int, channel: str, request: HandoffRequest
) -> int:
    """Open a ticket, or bring the parent's open one up to date. Returns its id."""
    now = utcnow()
    urgency = "crisis" if request.crisis else request.urgency
    if urgency not in URGENCY_RANK:
        urgency = "routine"
    existing = open_ticket_of(connection, parent_id)
    if existing is None:
        return connection.execute(
            insert(tickets)
            .values(
                parent_id=parent_id,
                channel=channel,
                status="waiting",
                relaying=request.relaying,
                category="crisis" if request.crisis else request.category,
                urgency=urgency,
                urgency_rank=URGENCY_RANK[urgency],
                local_authority=request.local_authority,
                came_from=request.came_from,
                summary=request.summary,
                parent_messages=0,
                created_at=now,
                updated_at=now,
            )
            .returning(tickets.c.id)
        ).scalar_one()
    values: dict[str, Any] = {"relaying": existing.relaying or request.relaying, "updated_at": now}
    # Urgency only ever goes up while a ticket is open; a crisis stays a crisis.
    if URGENCY_RANK[urgency] > URGENCY_RANK.get(existing.urgency, 0):
        values |= {"urgency": urgency, "urgency_rank": URGENCY_RANK[urgency]}
    if request.crisis:
        values["category"] = "crisis"
    if request.summary:
        values["summary"] = request.summary
    if request.local_authority:
        values["local_authority"] = request.local_authority
    connection.execute(update(tickets).where(tickets.c.id == existing.id).values(**values))
    return existing.id


def note_parent_message(connection: Connection, ticket_id: int) -> None:
    connection.execute(
        update(tickets)
        .where(tickets.c.id == ticket_id)
        .values(parent_messages=tickets.c.parent_messages + 1, updated_at=utcnow())
    )


def raise_to_urgent(connection: Connection, ticket_id: int, reason: str) -> bool:
    """Raise a routine ticket to urgent, keeping why on it; False when it already was."""
    row = connection.execute(
        select(tickets.c.urgency_rank, tickets.c.summary).where(tickets.c.id == ticket_id)
    ).first()
    if row is None or row.urgency_rank >= URGENCY_RANK["urgent"]:
        return False
    connection.execute(
        update(tickets)
        .where(tickets.c.id == ticket_id, tickets.c.urgency_rank < URGENCY_RANK["urgent"])
        .values(
            urgency="urgent",
            urgency_rank=URGENCY_RANK["urgent"],
            # Shown with the triage summary on the ticket page, for the champion.
            summary={**dict(row.summary or {}), "raised_to_urgent": reason},
            updated_at=utcnow(),
        )
    )
    return True


def parent_returned_to_bot(connection: Connection, ticket: OpenTicket) -> None:
    """ "Back to the bot": the ticket ends, except a crisis, which champions still follow up."""
    now = utcnow()
    values: dict[str, Any] = {"relaying": False, "updated_at": now}
    if ticket.urgency != "crisis":
        values |= {"status": "closed", "outcome": PARENT_ENDED, "closed_at": now}
    connection.execute(update(tickets).where(tickets.c.id == ticket.id).values(**values))


def pause_relay(connection: Connection, ticket_id: int) -> None:
    """The parent went back to the bot's buttons; the ticket stays in the queue."""
    connection.execute(
        update(tickets).where(tickets.c.id == ticket_id).values(relaying=False, updated_at=utcnow())
    )


def resume_relay(connection: Connection, parent_id: int) -> bool:
    """The parent is done with the bot's buttons (say, e-mail alerts): their open
    ticket's chat goes back to the champion. False when they have no open ticket."""
    result = connection.execute(
        update(tickets)
        .where(tickets.c.parent_id == parent_id, tickets.c.status.in_(OPEN))
        .values(relaying=True, updated_at=utcnow())
    )
    return result.rowcount > 0


# -- the console side ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TicketView:
    id: int
    parent_id: int | None
    channel: str
    chat_id: str | None
    status: str
    relaying: bool
    category: str | None
    urgency: str
    local_authority: str | None
    came_from: str | None
    summary: dict[str, Any]
    claimed_by: int | None
    claimed_by_email: str | None
    claimed_by_name: str | None
    outcome: str | None
    parent_messages: int
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None
    last_read_at: dt.datetime | None = None  # by the champion holding it (the queue's unread)
    first_response_at: dt.datetime | None = None  # a champion's first reply

    @property
    def waiting_since(self) -> dt.datetime:
        return as_utc(self.created_at)


_VIEW = select(
    tickets,
    parents.c.chat_id,
    staff_users.c.email.label("claimed_by_email"),
    staff_users.c.name.label("claimed_by_name"),
).select_from(
    tickets.outerjoin(parents, parents.c.id == tickets.c.parent_id).outerjoin(
        staff_users, staff_users.c.id == tickets.c.claimed_by
    )
)


def _view(row: Any) -> TicketView:
    return TicketView(
        id=row.id,
        parent_id=row.parent_id,
        channel=row.channel,
        chat_id=row.chat_id,
        status=row.status,
        relaying=bool(row.relaying),
        category=row.category,
        urgency=row.urgency,
        local_authority=row.local_authority,
        came_from=row.came_from,
        summary=dict(row.summary or {}),
        claimed_by=row.claimed_by,
        claimed_by_email=row.claimed_by_email,
        claimed_by_name=row.claimed_by_name,
        outcome=row.outcome,
        parent_messages=row.parent_messages,
        created_at=row.created_at,
        updated_at=row.updated_at,
        closed_at=row.closed_at,
        last_read_at=row.last_read_at,
        first_response_at=row.first_response_at,
    )


def _in_areas(areas: list[str] | None) -> Any:
    # Tickets whose area is unknown are shown to every champion: someone must answer.
    if areas is None:
        return True
    return or_(tickets.c.local_authority.is_(None), tickets.c.local_authority.in_(areas))


QUEUE_LIMIT = 500  # open tickets one queue page shows at most


def queue(
    connection: Connection,
    areas: list[str] | None,
    narrowed_by: list[Any] | None = None,
    offset: int = 0,
) -> list[TicketView]:
    """Open tickets in these areas (None: all), most urgent first, then longest waiting.

    `narrowed_by`: more conditions (the queue's filters); they can only narrow.
    `offset`: skip this many, for a caller that filters further and reads on."""
    query = (
        _VIEW.where(tickets.c.status.in_(OPEN), _in_areas(areas), *(narrowed_by or []))
        .order_by(tickets.c.urgency_rank.desc(), tickets.c.created_at, tickets.c.id)
        .offset(offset)
        .limit(QUEUE_LIMIT)
    )
    return [_view(row) for row in connection.execute(query)]


def recently_closed(
    connection: Connection, areas: list[str] | None, limit: int = 20
) -> list[TicketView]:
    query = (
        _VIEW.where(tickets.c.status == "closed", _in_areas(areas))
        .order_by(tickets.c.closed_at.desc())
        .limit(limit)
    )
    return [_view(row) for row in connection.execute(query)]


def queue_fingerprint(connection: Connection, areas: list[str] | None) -> str:
    """Changes whenever anything a queue page shows changes (cheap to poll)."""
    row = connection.execute(
        select(func.count(), func.max(tickets.c.updated_at), func.max(tickets.c.id)).where(
            _in_areas(areas)
        )
    ).one()
    return f"{row[0]}:{row[1]}:{row[2]}"


def get_ticket(connection: Connection, ticket_id: int) -> TicketView | None:
    row = connection.execute(_VIEW.where(tickets.c.id == ticket_id)).first()
    return _view(row) if row else None


def ticket_fingerprint(connection: Connection, ticket_id: int) -> str:
    row = connection.execute(
        select(tickets.c.updated_at, tickets.c.parent_id).where(tickets.c.id == ticket_id)
    ).first()
    if row is None:
        return "gone"
    last_message = connection.execute(
        select(func.max(messages.c.id)).where(messages.c.parent_id == row.parent_id)
    ).scalar()
    last_note = connection.execute(
        select(func.max(notes.c.id)).where(notes.c.ticket_id == ticket_id)
    ).scalar()
    return f"{row.updated_at}:{last_message}:{last_note}"


def claim(connection: Connection, ticket_id: int, member_id: int) -> bool:
    """Take a waiting ticket. Exactly one of several champions claiming at once wins."""
    result = connection.execute(
        update(tickets)
        .where(tickets.c.id == ticket_id, tickets.c.status == "waiting")
        .values(**_held_by(member_id))
    )
    return result.rowcount == 1


def _held_by(member_id: int) -> dict[str, Any]:
    """A ticket's columns when `member_id` takes it, by claiming or by transfer."""
    now = utcnow()
    return {
        "status": "claimed",
        "claimed_by": member_id,
        "claimed_at": now,
        "updated_at": now,
        "last_read_at": None,  # a new holder has read nothing yet
    }


def mark_read(connection: Connection, ticket_id: int, member_id: int) -> None:
    """The champion holding the ticket has it open: its unread count starts again.

    Only the holder: a colleague glancing at it has not answered the parent. Not an
    `updated_at` change, so other consoles are not told to refresh for it."""
    connection.execute(
        update(tickets)
        .where(tickets.c.id == ticket_id, tickets.c.claimed_by == member_id)
        .values(last_read_at=utcnow())
    )


def _require_holder(ticket: TicketView | None, member_id: int) -> TicketView:
    if ticket is None:
        raise TicketError("That ticket no longer exists.")
    if ticket.status == "closed":
        raise TicketError("This ticket is closed.")
    if ticket.claimed_by != member_id:
        raise TicketError("Claim this ticket before replying to the parent.")
    return ticket


def send_to_parent(
    connection: Connection,
    ticket_id: int,
    member_id: int | None,
    reply: Reply,
) -> int:
    """Store a message for the ticket's parent (see bot/core/outbound.py); returns its id."""
    ticket = get_ticket(connection, ticket_id)
    if ticket is None or ticket.parent_id is None:
        raise TicketError("The parent has left and their conversation was deleted.")
    return push_message(connection, ticket.parent_id, reply, member_id).message_id


def champion_reply(connection: Connection, ticket_id: int, member_id: int, text: str) -> int:
    _require_holder(get_ticket(connection, ticket_id), member_id)
    message_id = send_to_parent(connection, ticket_id, member_id, Reply(text))
    now = utcnow()
    # A champion writing brings the parent back into the live chat.
    connection.execute(
        update(tickets).where(tickets.c.id == ticket_id).values(relaying=True, updated_at=now)
    )
    # Only a champion's own words stop the first-response clock (bot messages never do).
    connection.execute(
        update(tickets)
        .where(tickets.c.id == ticket_id, tickets.c.first_response_at.is_(None))
        .values(first_response_at=now)
    )
    return message_id


def _still_held_by(holder: int | None) -> Any:
    # A transfer is decided on the page the champion saw: if someone claimed, took over
    # or closed the ticket meanwhile, it must not go through on that stale picture.
    if holder is None:
        return tickets.c.claimed_by.is_(None)
    return tickets.c.claimed_by == holder


def transfer_to_member(
    connection: Connection, ticket_id: int, member_id: int, holder: int | None
) -> bool:
    """Give an open ticket that `holder` has (None: nobody) to another champion."""
    result = connection.execute(
        update(tickets)
        .where(tickets.c.id == ticket_id, tickets.c.status.in_(OPEN), _still_held_by(holder))
        .values(**_held_by(member_id))
    )
    return result.rowcount == 1


def transfer_to_area(
    connection: Connection, ticket_id: int, local_authority: str, holder: int | None
) -> bool:
    """Back into the queue for another area's champions."""
    result = connection.execute(
        update(tickets)
        .where(tickets.c.id == ticket_id, tickets.c.status.in_(OPEN), _still_held_by(holder))
        .values(
            status="waiting",
            claimed_by=None,
            claimed_at=None,
            last_read_at=None,
            local_authority=local_authority,
            updated_at=utcnow(),
        )
    )
    return result.rowcount == 1


def close(connection: Connection, ticket_id: int, outcome: str) -> bool:
    if outcome not in OUTCOMES:
        raise TicketError("Choose an outcome before closing.")
    now = utcnow()
    result = connection.execute(
        update(tickets)
        .where(tickets.c.id == ticket_id, tickets.c.status.in_(OPEN))
        .values(status="closed", relaying=False, outcome=outcome, closed_at=now, updated_at=now)
    )
    return result.rowcount == 1


@dataclass(frozen=True, slots=True)
class TranscriptLine:
    id: int
    direction: str
    sender: str  # "parent", "bot" or "champion"
    author: str | None
    text: str
    created_at: dt.datetime


def transcript_of(
    connection: Connection, parent_id: int | None, limit: int = 300
) -> list[TranscriptLine]:
    if parent_id is None:
        return []
    query = (
        select(
            messages.c.id,
            messages.c.direction,
            messages.c.text,
            messages.c.staff_user_id,
            messages.c.created_at,
            staff_users.c.email,
            staff_users.c.name,
        )
        .select_from(messages.outerjoin(staff_users, staff_users.c.id == messages.c.staff_user_id))
        .where(messages.c.parent_id == parent_id)
        .order_by(messages.c.id.desc())
        .limit(limit)
    )
    rows = list(connection.execute(query))
    rows.reverse()
    return [
        TranscriptLine(
            row.id,
            row.direction,
            "parent" if row.direction == "in" else "champion" if row.staff_user_id else "bot",
            row.name or row.email,
            row.text or "",
            row.created_at,
        )
        for row in rows
        if row.text
    ]


@dataclass(frozen=True, slots=True)
class PushedMessage:
    id: int
    text: str
    buttons: list[dict[str, str]]
    from_champion: bool
    author: str | None = None  # the champion's first name


def pushed_messages(
    connection: Connection, channel: str, chat_id: str, after_id: int
) -> list[PushedMessage]:
    """Messages to a parent that were not replies to their own (champion's, notices)."""
    query = (
        select(
            messages.c.id,
            messages.c.text,
            messages.c.buttons,
            messages.c.staff_user_id,
            staff_users.c.name,
        )
        .join(parents, parents.c.id == messages.c.parent_id)
        .outerjoin(staff_users, staff_users.c.id == messages.c.staff_user_id)
        .where(
            parents.c.channel == channel,
            parents.c.chat_id == chat_id,
            messages.c.direction == "out",
            messages.c.reply_to_id.is_(None),
            messages.c.id > after_id,
        )
        .order_by(messages.c.id)
        .limit(100)
    )
    return [
        PushedMessage(
            r.id,
            r.text or "",
            list(r.buttons or []),
            r.staff_user_id is not None,
            first_name(r.name) if r.staff_user_id is not None else None,
        )
        for r in connection.execute(query)
    ]


def latest_referral_summary(
    connection: Connection, parent_id: int
) -> tuple[str | None, str | None, dict[str, Any]]:
    """(category, urgency, answers) of the parent's latest triage, if any."""
    row = connection.execute(
        select(referrals.c.category, referrals.c.urgency, referrals.c.answers)
        .where(referrals.c.parent_id == parent_id)
        .order_by(referrals.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None, None, {}
    return row.category, row.urgency, dict(row.answers or {})


def champion_names(connection: Connection, channel: str, chat_id: str) -> dict[int, str]:
    """The first name on each champion's message to one parent, by message id."""
    query = (
        select(messages.c.id, staff_users.c.name)
        .join(parents, parents.c.id == messages.c.parent_id)
        .join(staff_users, staff_users.c.id == messages.c.staff_user_id)
        .where(parents.c.channel == channel, parents.c.chat_id == chat_id)
    )
    found = ((r.id, first_name(r.name)) for r in connection.execute(query))
    return {message_id: name for message_id, name in found if name}
