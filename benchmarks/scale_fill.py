"""Fill a migrated Champion database with a large, realistic history, fast.

Rows go straight into the tables (SQLAlchemy core executemany on SQLite, COPY on
PostgreSQL), not through the app: a million messages through `POST /api/chat` would
take hours. Shapes follow what the app writes (bot/store/models.py):

- parents on web (60 %), Telegram (30 %) and WhatsApp (10 %); a web parent's secret
  is `token_for(id)`, so the benchmark can chat as any of them;
- one conversation each, last moved within 18 months; exactly `due` of them more than
  12 months ago, so the retention sweep has that many to erase;
- messages alternate parent / bot, about ten per parent with a long tail (one heavy
  parent has `HEAVY_MESSAGES`), parents' texts of tens to hundreds of characters;
- tickets (a few hundred open, the rest closed with outcomes), notes, referrals,
  drop-in sessions over the 18 months and the next two, bookings and reminders.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from sqlalchemy import JSON, Table, create_engine, text
from sqlalchemy.engine import make_url

from bot.store.models import (
    AuditEntry,
    Booking,
    Conversation,
    DropInSession,
    Message,
    Parent,
    Referral,
    Reminder,
    StaffUser,
    Ticket,
    TicketNote,
    utcnow,
)

# At scale 1.0 (issue #16's numbers).
PARENTS = 100_000
MESSAGES = 1_000_000
TICKETS = 20_000
BOOKINGS = 50_000
DUE_FOR_RETENTION = 10_000
HEAVY_MESSAGES = 400  # the parent whose erasure is timed
OPEN_TICKETS = 250  # the console queue
CHUNK = 20_000  # rows per executemany / COPY

DAY = dt.timedelta(days=1)
HISTORY = 548 * DAY  # 18 months
RETENTION_CUTOFF = 366 * DAY  # RETENTION_MONTHS=12 is 365.3 days
COUNCILS = [
    "Leeds",
    "Bradford",
    "Kirklees",
    "Wakefield",
    "Calderdale",
    "Sheffield",
    "Barnsley",
    "Doncaster",
    "Rotherham",
    "York",
    "Manchester",
    "Salford",
    "Birmingham",
    "Bristol",
    "Barnet",
    "Camden",
    "Hackney",
    "Kent",
    "Essex",
    "Devon",
]
CATEGORIES = [
    "sen_support",
    "ehcp",
    "exclusion",
    "attendance",
    "disputes",
    "equality",
    "wellbeing",
    "transition",
]
OUTCOMES = [
    "advice_given",
    "dropin_booked",
    "referred_sendiass",
    "referred_ipsea",
    "safeguarding_referral",
    "other",
]
# Parents' and the bot's words, sliced at random into messages of realistic lengths.
VOCABULARY = (
    "my son daughter school council ehcp plan assessment the a is and to of in for "
    "autistic adhd teacher senco support year reception exclusion part time timetable "
    "tribunal appeal weeks deadline annual review transport college nursery help please "
    "they said we asked but nothing happened again what can i do how long does it take "
    "reasonable adjustments equality act diagnosis paediatrician waiting list letter"
)
WORDS = VOCABULARY.split()


def token_for(parent_id: int) -> str:
    """The web chat secret of filled parent `parent_id` (only its hash is stored)."""
    return f"scale-bench-secret-{parent_id:08d}"


@dataclass
class Plan:
    """How many rows of each kind, for a scale factor."""

    scale: float
    parents: int = 0
    messages: int = 0
    tickets: int = 0
    bookings: int = 0
    due: int = 0
    open_tickets: int = OPEN_TICKETS  # at most a quarter of all tickets
    counts: dict[str, int] = field(default_factory=dict)  # rows actually written

    def __post_init__(self) -> None:
        self.parents = max(50, round(PARENTS * self.scale))
        self.messages = max(self.parents * 2 + HEAVY_MESSAGES, round(MESSAGES * self.scale))
        self.tickets = max(10, round(TICKETS * self.scale))
        self.bookings = max(10, round(BOOKINGS * self.scale))
        self.due = max(5, round(DUE_FOR_RETENTION * self.scale))

    @property
    def heavy_parent(self) -> int:
        """A web parent, active lately, with HEAVY_MESSAGES messages and a ticket."""
        return self.parents  # the last id; ids from 1 to parents


Rows = Iterator[list[dict[str, Any]]]


class Generator:
    """Makes the rows, table by table, in chunks. Same seed, same database."""

    def __init__(self, plan: Plan, now: dt.datetime, seed: int = 16) -> None:
        self.plan = plan
        self.now = now
        self.random = random.Random(seed)
        self.corpus = " ".join(self.random.choice(WORDS) for _ in range(200_000))
        n = plan.parents
        ids = list(range(1, n))  # the heavy parent (id n) is placed by hand
        self.random.shuffle(ids)
        self.due_ids = set(ids[: plan.due])
        self.created: list[dt.datetime] = [now] * (n + 1)
        self.updated: list[dt.datetime] = [now] * (n + 1)
        self.channel: list[str] = [""] * (n + 1)
        for parent_id in range(1, n + 1):
            if parent_id in self.due_ids:
                created = now - self._span(375 * DAY, HISTORY)
                updated = created + self._span(0 * DAY, created - (now - RETENTION_CUTOFF))
            else:
                created = now - self._span(dt.timedelta(hours=1), HISTORY)
                floor = max(created, now - 360 * DAY)
                updated = floor + self._span(0 * DAY, now - floor)
            self.created[parent_id], self.updated[parent_id] = created, updated
            roll = self.random.random()
            self.channel[parent_id] = (
                "web" if roll < 0.6 else "telegram" if roll < 0.9 else "whatsapp"
            )
        self.channel[n] = "web"
        self.active_ids = [i for i in range(1, n) if i not in self.due_ids]

    def _span(self, low: dt.timedelta, high: dt.timedelta) -> dt.timedelta:
        return dt.timedelta(seconds=self.random.uniform(low.total_seconds(), high.total_seconds()))

    def _between(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        return start + (end - start) * self.random.random()

    def _text(self, mean: int, cap: int) -> str:
        length = min(cap, max(3, int(self.random.lognormvariate(0, 0.7) * mean)))
        start = self.random.randrange(0, len(self.corpus) - cap - 1)
        return self.corpus[start : start + length].strip() or "help"

    def staff(self) -> Rows:
        yield [
            {
                "id": i,
                "email": f"champion{i}@scale.example",
                "name": f"Champion {i}",
                "password_hash": "!",  # cannot sign in: these only own tickets and notes
                "role": "champion",
                "areas": COUNCILS[i % 5 :: 5],
                "active": True,
                "created_at": self.now - HISTORY,
            }
            for i in range(1, 21)
        ]

    def parents(self) -> Rows:
        chunk = []
        for i in range(1, self.plan.parents + 1):
            channel = self.channel[i]
            chat_id = f"scale{i:08d}" if channel == "web" else str(700_000_000 + i)
            token_hash = (
                hashlib.sha256(token_for(i).encode()).hexdigest() if channel == "web" else None
            )
            chunk.append(
                {
                    "id": i,
                    "channel": channel,
                    "chat_id": chat_id,
                    "created_at": self.created[i],
                    "access_token_hash": token_hash,
                }
            )
            if len(chunk) == CHUNK:
                yield chunk
                chunk = []
        yield chunk

    def conversations(self) -> Rows:
        chunk = []
        for i in range(1, self.plan.parents + 1):
            chunk.append(
                {
                    "parent_id": i,
                    "flow": "main",
                    "node": "menu",
                    "variables": {"consent": "yes", "local_authority": COUNCILS[i % 20]},
                    "history": ["welcome:start", "main:menu"],
                    "resting": True,
                    "version": self.random.randint(2, 40),
                    "urgent": False,
                    "urgent_since": None,
                    "created_at": self.created[i],
                    "updated_at": self.updated[i],
                }
            )
            if len(chunk) == CHUNK:
                yield chunk
                chunk = []
        yield chunk

    def message_counts(self) -> list[int]:
        """Messages per parent: two each, the rest on a long tail, the heavy one fixed."""
        n = self.plan.parents
        counts = [0] + [2] * n
        counts[n] = HEAVY_MESSAGES
        spare = self.plan.messages - 2 * (n - 1) - HEAVY_MESSAGES
        weights = [self.random.paretovariate(1.5) for _ in range(n - 1)]
        for parent_id in self.random.choices(range(1, n), weights=weights, k=max(0, spare)):
            counts[parent_id] += 1
        return counts

    def messages(self) -> Rows:
        chunk: list[dict[str, Any]] = []
        message_id = 0
        for parent_id, count in enumerate(self.message_counts()):
            if count == 0:
                continue
            start, end = self.created[parent_id], self.updated[parent_id]
            step = (end - start) / count
            outbox = self.channel[parent_id] != "web"
            last_in = None
            for n in range(count):
                message_id += 1
                at = start + step * n
                inbound = n % 2 == 0
                pressed = inbound and self.random.random() < 0.35
                chunk.append(
                    {
                        "id": message_id,
                        "parent_id": parent_id,
                        "direction": "in" if inbound else "out",
                        "external_id": f"m{n}" if inbound else None,
                        "reply_to_id": None if inbound else last_in,
                        "text": (
                            None
                            if pressed
                            else self._text(90, 1500)
                            if inbound
                            else self._text(350, 3000)
                        ),
                        "payload": "main:menu" if pressed else None,
                        "buttons": None
                        if inbound
                        else [
                            {"label": "Main menu", "payload": "global:menu"},
                            {"label": "Talk to a Parent Champion", "payload": "global:human"},
                        ],
                        "delivery": "sent" if outbox and not inbound else None,
                        "attempts": 1 if outbox and not inbound else 0,
                        "delivered_at": at if outbox and not inbound else None,
                        "created_at": at,
                    }
                )
                if inbound:
                    last_in = message_id
                if len(chunk) == CHUNK:
                    yield chunk
                    chunk = []
        yield chunk

    def tickets(self) -> tuple[Rows, Rows]:
        """Tickets (a few hundred open) and their notes."""
        plan = self.plan
        open_count = min(plan.open_tickets, plan.tickets // 4)
        owners = [plan.heavy_parent, *self.random.sample(self.active_ids, open_count - 1)]
        others = self.random.sample(range(1, plan.parents), plan.tickets - open_count)
        ticket_rows, note_rows = [], []
        for ticket_id, parent_id in enumerate(owners + others, start=1):
            is_open = ticket_id <= open_count
            created = self._between(self.created[parent_id], self.updated[parent_id])
            rank = self.random.choices([0, 1, 2], weights=[85, 12, 3])[0]
            claimed = not is_open or self.random.random() < 0.4
            claimed_at = created + self._span(dt.timedelta(minutes=2), 2 * DAY) if claimed else None
            if claimed_at and claimed_at > self.now:
                claimed_at = self.now
            closed_at = None if is_open else (claimed_at or created) + self._span(DAY / 24, 5 * DAY)
            ticket_rows.append(
                {
                    "id": ticket_id,
                    "parent_id": parent_id,
                    "channel": self.channel[parent_id],
                    "status": ("claimed" if claimed else "waiting") if is_open else "closed",
                    "relaying": is_open,
                    "category": self.random.choice(CATEGORIES),
                    "urgency": ["routine", "urgent", "crisis"][rank],
                    "urgency_rank": rank,
                    "local_authority": None
                    if self.random.random() < 0.05
                    else self.random.choice(COUNCILS),
                    "came_from": "menu",
                    "summary": {"child_age": "9", "setting": "Mainstream school"},
                    "parent_messages": self.random.randint(1, 30),
                    "claimed_by": self.random.randint(1, 20) if claimed else None,
                    "claimed_at": claimed_at,
                    "staff_notified_rank": rank,
                    "outcome": None if is_open else self.random.choice(OUTCOMES),
                    "created_at": created,
                    "updated_at": closed_at or claimed_at or created,
                    "closed_at": closed_at,
                }
            )
            if ticket_id % 2 == 0:
                note_rows.append(
                    {
                        "ticket_id": ticket_id,
                        "staff_user_id": self.random.randint(1, 20),
                        "text": self._text(150, 1000),
                        "created_at": claimed_at or created,
                    }
                )
        return iter([ticket_rows]), iter([note_rows])

    def referrals(self) -> Rows:
        rows = []
        for _ in range(round(self.plan.tickets * 1.5)):
            parent_id = self.random.randint(1, self.plan.parents)
            rows.append(
                {
                    "parent_id": parent_id,
                    "category": self.random.choice(CATEGORIES),
                    "urgency": self.random.choice(["routine", "routine", "urgent"]),
                    "answers": {"child_age": "9", "concerns": ["ehcp"]},
                    "created_at": self._between(self.created[parent_id], self.updated[parent_id]),
                }
            )
        yield rows

    def dropins(self) -> tuple[Rows, Rows, Rows]:
        """Sessions over the last 18 months and the next two, their bookings, reminders."""
        sessions, bookings, reminders = [], [], []
        count = max(2, self.plan.bookings // 12)
        booking_id = 0
        for session_id in range(1, count + 1):
            starts = self.now - HISTORY + (HISTORY + 60 * DAY) * (session_id / count)
            starts = starts.replace(minute=0, second=0, microsecond=0)
            sessions.append(
                {
                    "id": session_id,
                    "title": "Drop-in for parents",
                    "host_id": self.random.randint(1, 20),
                    "local_authority": self.random.choice(COUNCILS),
                    "venue": "Library",
                    "address": "1 High Street",
                    "online_link": "",
                    "starts_at": starts,
                    "ends_at": starts + dt.timedelta(hours=2),
                    "capacity": 15,
                    "notes": "",
                    "status": "cancelled" if session_id % 40 == 0 else "scheduled",
                    "created_at": starts - 30 * DAY,
                    "updated_at": starts - 30 * DAY,
                }
            )
            places = self.plan.bookings // count + (session_id <= self.plan.bookings % count)
            for parent_id in self.random.sample(range(1, self.plan.parents + 1), places):
                booking_id += 1
                roll = self.random.random()
                status = "booked" if roll < 0.85 else "waitlisted" if roll < 0.9 else "cancelled"
                past = starts < self.now
                bookings.append(
                    {
                        "id": booking_id,
                        "session_id": session_id,
                        "parent_id": parent_id,
                        "status": status,
                        "attended": (self.random.random() < 0.7)
                        if past and status == "booked"
                        else None,
                        "created_at": starts - 10 * DAY,
                        "updated_at": starts - 10 * DAY,
                    }
                )
                if status == "booked":
                    for hours in (24, 2):
                        due = starts - dt.timedelta(hours=hours)
                        reminders.append(
                            {
                                "parent_id": parent_id,
                                "kind": f"dropin_{hours}h",
                                "due_on": starts.date(),
                                "due_at": due,
                                "booking_id": booking_id,
                                "status": "sent" if past else "pending",
                                "attempts": 1 if past else 0,
                                "sent_at": due if past else None,
                                "created_at": starts - 10 * DAY,
                            }
                        )
        return iter([sessions]), iter([bookings]), iter([reminders])

    def audit(self) -> Rows:
        yield [
            {
                "staff_user_id": self.random.randint(1, 20),
                "staff_email": "champion@scale.example",
                "action": self.random.choice(["open", "claim", "close", "reply"]),
                "ticket_id": self.random.randint(1, self.plan.tickets),
                "created_at": self.now - self._span(0 * DAY, HISTORY),
            }
            for _ in range(self.plan.tickets)
        ]


def _tables(generator: Generator) -> list[tuple[Table, Rows]]:
    tickets, notes = generator.tickets()
    sessions, bookings, reminders = generator.dropins()
    return [
        (StaffUser.__table__, generator.staff()),
        (Parent.__table__, generator.parents()),
        (Conversation.__table__, generator.conversations()),
        (Message.__table__, generator.messages()),
        (Ticket.__table__, tickets),
        (TicketNote.__table__, notes),
        (Referral.__table__, generator.referrals()),
        (DropInSession.__table__, sessions),
        (Booking.__table__, bookings),
        (Reminder.__table__, reminders),
        (AuditEntry.__table__, generator.audit()),
    ]


def fill(url: str, plan: Plan, now: dt.datetime | None = None) -> dict[str, int]:
    """Write every table into the (migrated, empty) database at `url`; row counts back."""
    generator = Generator(plan, now or utcnow())
    tables = _tables(generator)
    if make_url(url).get_backend_name() == "sqlite":
        counts = _fill_sqlite(url, tables)
    else:
        counts = asyncio.run(_fill_postgresql(url, tables))
    plan.counts = counts
    return counts


def _fill_sqlite(url: str, tables: Sequence[tuple[Table, Rows]]) -> dict[str, int]:
    engine = create_engine(make_url(url).set(drivername="sqlite+pysqlite"))
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        for table, chunks in tables:
            counts[table.name] = 0
            for rows in chunks:
                if rows:
                    connection.execute(table.insert(), rows)
                    counts[table.name] += len(rows)
    engine.dispose()
    return counts


async def _fill_postgresql(url: str, tables: Sequence[tuple[Table, Rows]]) -> dict[str, int]:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    counts: dict[str, int] = {}
    try:
        async with connection.transaction():
            for table, chunks in tables:
                counts[table.name] = 0
                for rows in chunks:
                    if not rows:
                        continue
                    columns = list(rows[0])
                    encode = _json_encoders(table, columns)
                    records = [
                        tuple(f(row[c]) for c, f in zip(columns, encode, strict=True))
                        for row in rows
                    ]
                    await connection.copy_records_to_table(
                        table.name, records=records, columns=columns
                    )
                    counts[table.name] += len(rows)
                # Explicit ids were written: move the id sequence past them.
                if "id" in table.c and table.c.id.autoincrement:
                    await connection.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT max(id) FROM {table.name}), 1))"
                    )
        # Autovacuum would gather statistics soon after such a load; do it now.
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return counts


def _json_encoders(table: Table, columns: list[str]) -> list[Callable[[Any], Any]]:
    """COPY takes JSON columns as text; everything else as it is."""

    def as_json(value: Any) -> Any:
        return None if value is None else json.dumps(value)

    return [as_json if isinstance(table.c[c].type, JSON) else _same for c in columns]


def _same(value: Any) -> Any:
    return value


def row_counts(url: str) -> dict[str, int]:
    """Rows in each filled table, read back."""
    names = ["parents", "conversations", "messages", "tickets", "bookings", "reminders"]
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(make_url(url).set(drivername="sqlite+pysqlite"))
        with engine.connect() as connection:
            result = {
                n: connection.execute(text(f"SELECT count(*) FROM {n}")).scalar_one() for n in names
            }
        engine.dispose()
        return result

    async def count() -> dict[str, int]:
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        connection = await asyncpg.connect(dsn)
        try:
            return {n: await connection.fetchval(f"SELECT count(*) FROM {n}") for n in names}
        finally:
            await connection.close()

    return asyncio.run(count())
