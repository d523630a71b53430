"""The follow-up sweep, run by the scheduler: each due follow-up reminds its champion and
sends its message to the parent once (the leasing is in bot/handoff/follow_ups.py).

The message is stored and the row marked sent in one transaction, so the two never
disagree. The staff Telegram chat is told after that commit: a crash in between
loses that one notice (the console's "Follow-ups due" list still shows it) rather
than sending it twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from bot.handoff import follow_ups
from bot.handoff.events import parent_topic, ticket_topic
from bot.store.models import utcnow

log = logging.getLogger(__name__)


@dataclass(slots=True)
class FollowUpReport:
    sent: int = 0
    waiting: int = 0  # the parent's channel is off here; tried again later
    lost: int = 0  # another sweep took over an expired lease
    failed: int = 0
    reminders: list[str] = field(default_factory=list)  # for the staff chat


def staff_reminder(leased: follow_ups.Leased, public_url: str = "") -> str:
    """The staff chat's words: the ticket number and whose follow-up, nothing about the
    family (not even the champion's own note, which may name the child)."""
    whose = f" for {leased.champion_name}" if leased.champion_name else ""
    where = f" {public_url.rstrip('/')}/console/tickets/{leased.ticket_id}" if public_url else ""
    return f"Follow-up due{whose}: check back on ticket #{leased.ticket_id}.{where}"


async def sweep_follow_ups(
    services: Any,
    channels: frozenset[str] = frozenset({"web"}),
    now: dt.datetime | None = None,
) -> FollowUpReport:
    """Send what is due now. Safe to run from several processes at once."""
    now = now or utcnow()
    report = FollowUpReport()
    database = services.database
    async with database.transaction() as transaction:
        leased = await transaction.run(follow_ups.lease_due, now)
    public_url = getattr(services.settings, "public_url", "")
    for item in leased:
        try:
            async with database.transaction() as transaction:
                pushed = await transaction.run(follow_ups.deliver, item, now, channels)
        except follow_ups.WaitForChannel as off:
            async with database.transaction() as transaction:
                await transaction.run(
                    follow_ups.note_failure, item, f"waiting: {off} is switched off"
                )
            report.waiting += 1
            continue
        except follow_ups.LeaseLost:
            report.lost += 1
            continue
        except Exception as exc:
            if item.attempts < follow_ups.MAX_ATTEMPTS:  # the lease runs out; tried again
                log.exception("follow-up %d not sent; it will be tried again", item.id)
                async with database.transaction() as transaction:
                    await transaction.run(follow_ups.note_failure, item, type(exc).__name__)
                report.failed += 1
                continue
            log.exception("follow-up %d: message given up; the champion is reminded", item.id)
            pushed = None
            try:
                async with database.transaction() as transaction:
                    await transaction.run(follow_ups.give_up_message, item, type(exc).__name__, now)
            except follow_ups.LeaseLost:
                report.lost += 1
                continue
        report.sent += 1
        report.reminders.append(staff_reminder(item, public_url))
        topics = ["queue", ticket_topic(item.ticket_id)]
        if pushed is not None:
            topics.append(parent_topic(pushed.channel, pushed.chat_id))
        services.events.publish(*topics)
    if report.reminders:
        await tell_staff_chat(services.settings, report.reminders)
    if report.sent or report.waiting or report.failed:
        log.info(
            "follow-ups: %d sent, %d waiting for a channel, %d failed",
            report.sent,
            report.waiting,
            report.failed,
        )
    return report


async def tell_staff_chat(settings: Any, lines: list[str]) -> None:
    """Post to the staff Telegram chat, if there is one. Never raises: the reminder is
    in the console either way."""
    if not (settings.telegram_enabled and settings.telegram_staff_chat_id):
        return
    from bot.channels.telegram import make_bot

    try:
        async with make_bot(settings.telegram_bot_token, settings.telegram_api_base) as bot:
            for line in lines:
                await bot.send_message(settings.telegram_staff_chat_id, line)
    except Exception as exc:
        log.warning("follow-up reminder not posted to the staff chat (%s)", type(exc).__name__)
