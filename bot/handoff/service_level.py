"""The first-response target: how long a family waits for a Parent Champion's first reply.

The target lives in flows/champion.yml (`first_response_minutes`) and counts only opening
hours, so a message sent on Friday evening is not "late" on Saturday. Bot messages never
count as a response: only a champion's own reply stops the clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from bot.handoff.config import HandoffConfig
from bot.handoff.hours import open_minutes_between
from bot.store.models import as_utc

# A ticket is "near" its target once this share of the time has gone without a reply.
NEAR_SHARE = 0.75

Standing = Literal["answered", "within", "near", "past"]


def waited_minutes(config: HandoffConfig, created: dt.datetime, until: dt.datetime) -> float:
    """Minutes of opening hours between the ticket opening and `until`, counted only as
    far as just past the target (enough to judge it, quick for a months-old ticket)."""
    return open_minutes_between(
        config.hours, as_utc(created), as_utc(until), enough=config.first_response_minutes
    )


def standing(
    config: HandoffConfig,
    created: dt.datetime,
    first_response: dt.datetime | None,
    now: dt.datetime,
) -> Standing:
    """Where a ticket stands against the target: answered, or still within, near or past it."""
    if first_response is not None:
        return "answered"
    waited = waited_minutes(config, created, now)
    if waited > config.first_response_minutes:
        return "past"
    if waited >= NEAR_SHARE * config.first_response_minutes:
        return "near"
    return "within"


def answered_within_target(
    config: HandoffConfig, created: dt.datetime, first_response: dt.datetime
) -> bool:
    return waited_minutes(config, created, first_response) <= config.first_response_minutes
