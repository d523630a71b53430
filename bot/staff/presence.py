"""Is a Parent Champion online for a parent's area right now?

Online means a champion (or an admin, who can answer any area) covering the area
has said they are available *and* has a console page open: the page sends a
heartbeat every ~45 seconds, and one older than `HEARTBEAT_EXPIRES` no longer
counts, so a closed laptop stops promising parents a quick reply within 2 minutes.
Opening hours do not decide this; they only choose the words parents are told.
Kept in the database so that every `serve` process sees the same answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from bot.staff.accounts import StaffMember, all_members
from bot.store.models import StaffUser, as_utc, utcnow

staff_users = StaffUser.__table__
HEARTBEAT_EXPIRES = dt.timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class Presence:
    """One account as the admins' "who is on" list shows it."""

    member: StaffMember
    online: bool  # available, with a fresh heartbeat
    last_seen: dt.datetime | None  # the last heartbeat, UTC


def is_online(member: StaffMember, now: dt.datetime) -> bool:
    seen = member.heartbeat_at
    return (
        member.active
        and member.available
        and seen is not None
        and now - as_utc(seen) <= HEARTBEAT_EXPIRES
    )


def set_available(
    connection: Connection, member_id: int, available: bool, now: dt.datetime | None = None
) -> None:
    """The champion's own switch. Saying "available" from a page is also a heartbeat."""
    values: dict[str, object] = {"available": available}
    if available:
        values["heartbeat_at"] = now or utcnow()
    connection.execute(update(staff_users).where(staff_users.c.id == member_id).values(**values))


def heartbeat(connection: Connection, member_id: int, now: dt.datetime | None = None) -> None:
    """A console page is open for this account."""
    connection.execute(
        update(staff_users)
        .where(staff_users.c.id == member_id)
        .values(heartbeat_at=now or utcnow())
    )


def someone_online_for(
    connection: Connection, local_authority: str | None, now: dt.datetime | None = None
) -> bool:
    """Is anyone who may answer a parent from this area online? (None: any area.)"""
    now = now or utcnow()
    rows = connection.execute(
        select(staff_users.c.id).where(
            staff_users.c.active.is_(True),
            staff_users.c.available.is_(True),
            staff_users.c.heartbeat_at >= now - HEARTBEAT_EXPIRES,
        )
    ).all()
    if not rows:
        return False
    ids = {row.id for row in rows}
    # Areas are a JSON list, so coverage is checked here rather than in SQL; the
    # rows are the few people online, never the parents.
    return any(
        m.id in ids and is_online(m, now) and m.covers(local_authority)
        for m in all_members(connection)
    )


def who_is_on(connection: Connection, now: dt.datetime | None = None) -> list[Presence]:
    """Every active account, online first, then by last seen (most recent first)."""
    now = now or utcnow()
    people = [
        Presence(m, is_online(m, now), as_utc(m.heartbeat_at))
        for m in all_members(connection)
        if m.active
    ]
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(people, key=lambda p: (not p.online, -(p.last_seen or never).timestamp()))
