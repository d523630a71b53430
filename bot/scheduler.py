"""Background jobs in every `serve` process (APScheduler): reminders, retention and
e-mails to parents (bot/notify/).

Several processes may run it at once; bot/booking/reminders.py makes sure each
reminder still goes out once. It also runs straight after start-up, so anything
that fell due while the service was down goes out (or is dropped if too late).
"""

from __future__ import annotations

import datetime as dt
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.booking.notices import reminder_text
from bot.booking.reminders import sweep
from bot.handoff.events import parent_topic
from bot.handoff.follow_up_sweep import sweep_follow_ups
from bot.notify.push_setup import sweep_push
from bot.notify.setup import SWEEP_SECONDS, sweep_mail
from bot.privacy.retention import sweep_retention
from bot.services import Services, follow_published

log = logging.getLogger(__name__)


async def sweep_reminders(
    services: Services, channels: frozenset[str] = frozenset({"web"})
) -> None:
    def render(kind: str, variables: dict[str, object]):  # type: ignore[no-untyped-def]
        return reminder_text(services.runner, kind, variables)

    try:
        async with services.database.transaction() as transaction:
            report, reached = await transaction.run(sweep, render, None, channels)
    except Exception:
        log.exception("reminder sweep failed; it will run again")
        return
    for channel, chat_id in reached:
        services.events.publish(parent_topic(channel, chat_id))
    if report.sent or report.dropped or report.failed or report.retried:
        log.info(
            "reminders: %d sent, %d dropped as too late, %d cancelled, %d to retry, %d failed",
            report.sent,
            report.dropped,
            report.cancelled,
            report.retried,
            report.failed,
        )


async def run_follow_ups(services: Services, channels: frozenset[str]) -> None:
    """Champions' "check back with this family" (bot/handoff/follow_up_sweep.py)."""
    try:
        await sweep_follow_ups(services, channels)
    except Exception:
        log.exception("follow-up sweep failed; it will run again")


CONTENT_CHECK_SECONDS = 3  # how soon every process serves a new publish


async def follow_content(services: Services) -> None:
    try:
        await follow_published(services)
    except Exception:
        log.exception("could not load the newly published content; still serving the old")


async def erase_old_conversations(services: Services) -> None:
    months = services.settings.retention_months
    try:
        erased = await sweep_retention(services.database, months)
    except Exception:
        log.exception("retention sweep failed; it will run again")
        return
    if erased:
        log.info("retention: erased %d conversations silent for over %d months", erased, months)


def start_scheduler(
    services: Services, channels: frozenset[str] = frozenset({"web"})
) -> AsyncIOScheduler:
    seconds = services.settings.reminder_sweep_seconds
    scheduler = AsyncIOScheduler(timezone=dt.UTC)
    if seconds:
        scheduler.add_job(
            sweep_reminders,
            "interval",
            seconds=seconds,
            args=[services, channels],
            id="reminders",
            next_run_time=dt.datetime.now(dt.UTC),  # at once: catch up after downtime
            max_instances=1,
            coalesce=True,
        )
        scheduler.add_job(
            run_follow_ups,
            "interval",
            seconds=seconds,
            args=[services, channels],
            id="follow-ups",
            next_run_time=dt.datetime.now(dt.UTC),  # at once: catch up after downtime
            max_instances=1,
            coalesce=True,
        )
    else:
        log.info("reminder sweep is off (REMINDER_SWEEP_SECONDS=0)")
    scheduler.add_job(
        follow_content,
        "interval",
        seconds=CONTENT_CHECK_SECONDS,
        args=[services],
        id="content",
        max_instances=1,
        coalesce=True,
    )
    if services.settings.smtp_url:
        scheduler.add_job(
            sweep_mail,
            "interval",
            seconds=SWEEP_SECONDS,
            args=[services],
            id="mail",
            next_run_time=dt.datetime.now(dt.UTC),  # at once: catch up after downtime
            max_instances=1,
            coalesce=True,
        )
    if services.settings.vapid_private_key:
        scheduler.add_job(
            sweep_push,
            "interval",
            seconds=SWEEP_SECONDS,
            args=[services],
            id="push",
            next_run_time=dt.datetime.now(dt.UTC),  # at once: catch up after downtime
            max_instances=1,
            coalesce=True,
        )
    scheduler.add_job(
        erase_old_conversations,
        "interval",
        hours=6,
        args=[services],
        id="retention",
        next_run_time=dt.datetime.now(dt.UTC),
        max_instances=1,
        coalesce=True,
    )
    scheduler.start()
    return scheduler
