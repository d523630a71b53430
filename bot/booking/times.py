"""Drop-in times in the words a parent reads, in UK time whatever the server's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.store.models import as_utc

UK = ZoneInfo("Europe/London")


def clock(value: dt.datetime) -> str:
    """ "10am", "1:30pm"."""
    local = as_utc(value).astimezone(UK)
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def when_in_words(starts: dt.datetime, ends: dt.datetime) -> str:
    """ "Tuesday 2 December 2026, 10am to 12pm"."""
    local = as_utc(starts).astimezone(UK)
    return f"{local:%A} {local.day} {local:%B %Y}, {clock(starts)} to {clock(ends)}"


def short_when(starts: dt.datetime) -> str:
    """ "Tue 2 Dec, 10am" for a button."""
    local = as_utc(starts).astimezone(UK)
    return f"{local:%a} {local.day} {local:%b}, {clock(starts)}"
