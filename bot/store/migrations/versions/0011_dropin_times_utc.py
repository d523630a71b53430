"""Times stored as UK wall-clock time on SQLite become UTC, like everything else.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

What was wrong, and where. Every column is `DateTime(timezone=True)`. PostgreSQL
stores that as timestamptz: asyncpg converts an aware time to the instant it names,
whatever its zone, so every PostgreSQL row is already right and is left alone.
SQLite has no time type: SQLAlchemy writes the wall-clock digits of the time it is
handed and drops the zone, and the code reads a naive time back as UTC. So on
SQLite a row is wrong exactly when the code handed it a time in the UK zone. Up to
revision 0010 these were:

- dropin_sessions.starts_at and ends_at: the console form and the CSV import
  (bot/booking/entry.py, the only writers) built them in Europe/London. Every row.
- reminders.due_at of drop-in reminders (kind "dropin_<h>h"): the session's start
  as read back (its UK digits taken as UTC) minus h hours. So `due_at + h` holds the
  session's UK wall-clock start; the right value is that start in UTC, minus h.
  This is exact even when h hours before the start is across a clock change.
- reminders.due_at of every other reminder (deadline reminders): 9am in
  Europe/London, from bot/knowledge/deadlines.py and from the backfill in 0006.

Everything else was written from `utcnow()` or from other UTC times (created_at,
updated_at, sent_at, next_attempt_at, bookings, tickets, messages) and was right.
reminders.due_on is a date (the UK date of the session or deadline) and was right.

From this revision on every time column converts aware times to UTC before it is
written (bot.store.models.UtcDateTime), so the rows below are the only local ones.

A wall-clock time the clocks repeat (1:00-1:59 on the last Sunday of October) is
read as its first occurrence (BST), and one they skip (1:00-1:59 on the last Sunday
of March) with the offset before the change (GMT): both exactly what the old code
meant when it built them with `tzinfo=Europe/London` (fold 0). New entries at those
times are refused with a message instead (bot/booking/entry.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

UK = ZoneInfo("Europe/London")
DROPIN_KIND = re.compile(r"dropin_(\d+)h")

Convert = Callable[[dt.datetime], dt.datetime]

# Naive on SQLite: exactly the digits that are stored.
sessions = sa.table(
    "dropin_sessions",
    sa.column("id", sa.Integer),
    sa.column("starts_at", sa.DateTime()),
    sa.column("ends_at", sa.DateTime()),
)
reminders = sa.table(
    "reminders",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("due_at", sa.DateTime()),
)


def uk_to_utc(wall: dt.datetime) -> dt.datetime:
    return wall.replace(tzinfo=UK).astimezone(dt.UTC).replace(tzinfo=None)


def utc_to_uk(utc: dt.datetime) -> dt.datetime:
    return utc.replace(tzinfo=dt.UTC).astimezone(UK).replace(tzinfo=None)


def _due_at(kind: str, due_at: dt.datetime, convert: Convert) -> dt.datetime:
    match = DROPIN_KIND.fullmatch(kind)
    if match is None:
        return convert(due_at)  # a deadline reminder: a UK time itself
    ahead = dt.timedelta(hours=int(match.group(1)))
    return convert(due_at + ahead) - ahead  # the session's start, converted


def _convert(convert: Convert) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return  # timestamptz: every row already holds the right instant
    moved_sessions = [
        {"row_id": r.id, "new_starts": convert(r.starts_at), "new_ends": convert(r.ends_at)}
        for r in bind.execute(sa.select(sessions.c.id, sessions.c.starts_at, sessions.c.ends_at))
    ]
    if moved_sessions:
        bind.execute(
            sessions.update()
            .where(sessions.c.id == sa.bindparam("row_id"))
            .values(starts_at=sa.bindparam("new_starts"), ends_at=sa.bindparam("new_ends")),
            moved_sessions,
        )
    moved_reminders = [
        {"row_id": r.id, "new_due": _due_at(r.kind, r.due_at, convert)}
        for r in bind.execute(
            sa.select(reminders.c.id, reminders.c.kind, reminders.c.due_at).where(
                reminders.c.due_at.is_not(None)
            )
        )
    ]
    if moved_reminders:
        bind.execute(
            reminders.update()
            .where(reminders.c.id == sa.bindparam("row_id"))
            .values(due_at=sa.bindparam("new_due")),
            moved_reminders,
        )


def upgrade() -> None:
    _convert(uk_to_utc)


def downgrade() -> None:
    # Back to what the code before this revision expects to find on SQLite.
    _convert(utc_to_uk)
