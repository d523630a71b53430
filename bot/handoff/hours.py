"""Are Parent Champions online now, and if not, when are they next?"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from bot.handoff.config import DAYS, OpeningHours, Span, parse_spans

LOOK_AHEAD_DAYS = 21  # long enough to cross Christmas and a bank holiday weekend


@lru_cache(maxsize=8)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    # A plain set: the queue asks about a thousand tickets' days on every refresh.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


@lru_cache(maxsize=64)
def _spans(text: str) -> tuple[Span, ...]:
    return tuple(parse_spans(text))


def _open_spans(hours: OpeningHours, day: dt.date) -> tuple[Span, ...]:
    if hours.bank_holidays == "closed" and day in _bank_holidays(day.year):
        return ()
    return _spans(getattr(hours, DAYS[day.weekday()]))


def is_open(hours: OpeningHours, now: dt.datetime) -> bool:
    local = now.astimezone(ZoneInfo(hours.timezone))
    clock = local.time().replace(tzinfo=None)
    return any(
        start <= clock and (end is None or clock < end)
        for start, end in _open_spans(hours, local.date())
    )


def next_opening(hours: OpeningHours, now: dt.datetime) -> dt.datetime | None:
    """When champions next come online after `now` (local time), or None if never."""
    zone = ZoneInfo(hours.timezone)
    local = now.astimezone(zone)
    for offset in range(LOOK_AHEAD_DAYS):
        day = local.date() + dt.timedelta(days=offset)
        for start, _end in sorted(_open_spans(hours, day), key=lambda span: span[0]):
            opening = dt.datetime.combine(day, start, tzinfo=zone)
            if opening > local:
                return opening
    return None


def opening_in_words(opening: dt.datetime, now: dt.datetime) -> str:
    """ "today at 9am", "tomorrow at 9:30am" or "on Monday 24 November at 9am"."""
    local_now = now.astimezone(opening.tzinfo)
    minutes = f":{opening.minute:02d}" if opening.minute else ""
    hour = opening.hour % 12 or 12
    clock = f"{hour}{minutes}{'am' if opening.hour < 12 else 'pm'}"
    days = (opening.date() - local_now.date()).days
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"tomorrow at {clock}"
    return f"on {opening:%A} {opening.day} {opening:%B} at {clock}"


def open_minutes_between(
    hours: OpeningHours, start: dt.datetime, end: dt.datetime, enough: float | None = None
) -> float:
    """Minutes of opening hours from `start` to `end`: a first-response target of two
    hours "in hours" does not run overnight or over a bank holiday weekend. With
    `enough`, stops counting once past it (a months-old ticket is simply "past")."""
    if end <= start:
        return 0.0
    zone = ZoneInfo(hours.timezone)
    start_local, end_local = start.astimezone(zone), end.astimezone(zone)
    total = 0.0
    day = start_local.date()
    while day <= end_local.date():
        for span_start, span_end in _open_spans(hours, day):
            opens = dt.datetime.combine(day, span_start, tzinfo=zone)
            closes = (
                dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
                if span_end is None
                else dt.datetime.combine(day, span_end, tzinfo=zone)
            )
            overlap = min(closes, end_local) - max(opens, start_local)
            total += max(overlap.total_seconds(), 0.0) / 60
        if enough is not None and total > enough:
            return total
        day += dt.timedelta(days=1)
    return total
