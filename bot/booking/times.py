"""Drop-in times in the words a parent reads, in UK time whatever the server's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def aware(value: dt.datetime) -> dt.datetime:
    # SQLite gives back naive datetimes; everything is stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def clock(value: dt.datetime) -> str:
    """ "10am", "1:30pm"."""
    local = aware(value).astimezone(UK)
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def when_in_words(starts: dt.datetime, ends: dt.datetime) -> str:
    """ "Tuesday 2 December 2026, 10am to 12pm"."""
    local = aware(starts).astimezone(UK)
    return f"{local:%A} {local.day} {local:%B %Y}, {clock(starts)} to {clock(ends)}"


def short_when(starts: dt.datetime) -> str:
    """ "Tue 2 Dec, 10am" for a button."""
    local = aware(starts).astimezone(UK)
    return f"{local:%a} {local.day} {local:%b}, {clock(starts)}"


def parse_local(day: str, time: str) -> dt.datetime:
    """A date (YYYY-MM-DD) and time (HH:MM) in UK time, as an aware datetime."""
    naive = dt.datetime.combine(
        dt.date.fromisoformat(day.strip()), dt.time.fromisoformat(time.strip())
    )
    return naive.replace(tzinfo=UK)
