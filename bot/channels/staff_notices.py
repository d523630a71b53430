"""A short notice in the staff Telegram chat for each new or newly urgent ticket.

No personal details: the ticket number, urgency, category and area, and where to
answer. Each notice is claimed in the database first, so with several `serve`
processes it is still sent once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import Connection, and_, select, update

from bot.handoff.events import alert_channel, alert_topics
from bot.handoff.tickets import OPEN, tickets

log = logging.getLogger(__name__)
CHECK_EVERY_SECONDS = 5.0


def claim_notices(connection: Connection) -> list[Any]:
    rows = connection.execute(
        select(
            tickets.c.id,
            tickets.c.urgency,
            tickets.c.urgency_rank,
            tickets.c.category,
            tickets.c.local_authority,
        ).where(tickets.c.status.in_(OPEN), tickets.c.urgency_rank > tickets.c.staff_notified_rank)
    ).all()
    claimed = []
    for row in rows:
        result = connection.execute(
            update(tickets)
            .where(and_(tickets.c.id == row.id, tickets.c.staff_notified_rank < row.urgency_rank))
            .values(staff_notified_rank=row.urgency_rank)
        )
        if result.rowcount == 1:
            claimed.append(row)
    return claimed


def notice_text(row: Any) -> str:
    category = (row.category or "not triaged").replace("_", " ")
    area = row.local_authority or "area not given"
    label = {"crisis": "CRISIS", "urgent": "Urgent"}.get(row.urgency, "New")
    return (
        f"{label} hand-off: ticket #{row.id} ({category}, {area}). Open the console to pick it up."
    )


async def notify_staff_forever(bot: Any, chat_id: str, services: Any) -> None:
    with services.events.subscribe("queue") as subscription:
        while True:
            try:
                async with services.database.transaction() as transaction:
                    rows = await transaction.run(claim_notices)
                for row in rows:
                    await bot.send_message(chat_id, notice_text(row))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("staff chat notice not sent (%s)", type(exc).__name__)
            await subscription.wait(CHECK_EVERY_SECONDS)


CHANNEL_NAMES = {"web": "the web chat", "telegram": "Telegram", "whatsapp": "WhatsApp"}


def alert_text(channel: str) -> str:
    where = CHANNEL_NAMES.get(channel, channel)
    return (
        f"CRISIS: a parent on {where} needs urgent help now. They have the emergency numbers; "
        "their ticket will be at the top of the console queue."
    )


async def alert_staff_forever(bot: Any, chat_id: str, services: Any) -> None:
    """Crisis alerts from memory, at once: no database needed (the ticket notice follows)."""
    with services.events.subscribe(*alert_topics()) as subscription:
        while True:
            await subscription.wait(60.0)
            for topic in subscription.heard():
                try:
                    await bot.send_message(chat_id, alert_text(alert_channel(topic)))
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("staff chat crisis alert not sent (%s)", type(exc).__name__)
