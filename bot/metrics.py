"""Prometheus metrics: what an operator watches (see GET /metrics).

Counters and the NLU timing are per process (each `serve` replica is scraped on
its own); the queue figures are read from the database at scrape time, so every
replica reports the same ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import Connection, func, select

from bot.store.models import Message, Reminder, Ticket, as_utc, utcnow

registry = CollectorRegistry()
MESSAGES_IN = Counter(
    "champion_messages_in", "Messages received from parents", ["channel"], registry=registry
)
MESSAGES_OUT = Counter(
    "champion_messages_out", "Replies sent to parents", ["channel"], registry=registry
)
NLU_SECONDS = Histogram(
    "champion_nlu_seconds",
    "Time to understand one message",
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
    registry=registry,
)
OPEN_TICKETS = Gauge(
    "champion_open_tickets", "Hand-off tickets not yet closed", ["status"], registry=registry
)
OLDEST_WAITING = Gauge(
    "champion_oldest_waiting_ticket_seconds",
    "How long the longest-waiting unclaimed ticket has waited",
    registry=registry,
)
REMINDER_BACKLOG = Gauge(
    "champion_reminder_backlog", "Reminders due now and not yet sent", registry=registry
)
OUTBOX_BACKLOG = Gauge(
    "champion_outbox_backlog",
    "Telegram and WhatsApp messages waiting to be sent",
    registry=registry,
)


@dataclass(frozen=True, slots=True)
class QueueFigures:
    waiting: int
    claimed: int
    oldest_waiting: dt.datetime | None
    reminders_due: int
    outbox: int


def queue_figures(connection: Connection) -> QueueFigures:
    tickets = Ticket.__table__
    reminders = Reminder.__table__
    messages = Message.__table__
    counts = dict(
        connection.execute(
            select(tickets.c.status, func.count())
            .where(tickets.c.status.in_(("waiting", "claimed")))
            .group_by(tickets.c.status)
        ).all()
    )
    oldest = connection.execute(
        select(func.min(tickets.c.created_at)).where(tickets.c.status == "waiting")
    ).scalar()
    due = connection.execute(
        select(func.count()).where(reminders.c.status == "pending", reminders.c.due_at <= utcnow())
    ).scalar_one()
    outbox = connection.execute(
        select(func.count()).where(messages.c.delivery.in_(("pending", "sending")))
    ).scalar_one()
    return QueueFigures(counts.get("waiting", 0), counts.get("claimed", 0), oldest, due, outbox)


def render(figures: QueueFigures) -> bytes:
    OPEN_TICKETS.labels("waiting").set(figures.waiting)
    OPEN_TICKETS.labels("claimed").set(figures.claimed)
    oldest = as_utc(figures.oldest_waiting)
    OLDEST_WAITING.set((utcnow() - oldest).total_seconds() if oldest else 0)
    REMINDER_BACKLOG.set(figures.reminders_due)
    OUTBOX_BACKLOG.set(figures.outbox)
    return generate_latest(registry)
