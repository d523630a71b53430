"""Jinja templates for the console: autoescaped, with times shown in UK time."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates

from bot.core.text import whole_number
from bot.store.models import as_utc

UK = ZoneInfo("Europe/London")
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def local_time(value: dt.datetime | None) -> str:
    """ "Sat 22 Nov, 14:05" in UK time."""
    if value is None:
        return ""
    local = as_utc(value).astimezone(UK)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def waited(value: dt.datetime | None) -> str:
    """How long since, in the units a person would use: "4 min", "2 h 5 min", "3 days"."""
    if value is None:
        return ""
    minutes = int((dt.datetime.now(dt.UTC) - as_utc(value)).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{minutes // (24 * 60)} days"


def label(name: str | None) -> str:
    """`child_age` -> "Child age"."""
    return (name or "").replace("_", " ").capitalize()


# The alert stream announces requests made since a page was drawn (bot/web/live.py):
# the data the page shows was read a moment before the drawing, and a request made
# in that moment must not fall between the page and its stream.
DRAWN_SLACK = dt.timedelta(seconds=2)
# A `drawn` older than this is not a page's own (it would announce a day of requests).
DRAWN_AT_MOST_AGO = dt.timedelta(hours=24)


def drawn_at() -> int:
    """Now, in milliseconds since the epoch: when a console page was drawn."""
    return int(time.time() * 1000)


def page_drawn_at(text: str) -> dt.datetime | None:
    """A page's `drawn_at()` back from its alert stream's address, less the slack;
    None for anything else (a stale, future or malformed value)."""
    milliseconds = whole_number(text)
    if milliseconds is None:
        return None
    drawn = dt.datetime.fromtimestamp(milliseconds / 1000, dt.UTC)
    now = dt.datetime.now(dt.UTC)
    if not now - DRAWN_AT_MOST_AGO <= drawn <= now + DRAWN_SLACK:
        return None
    return drawn - DRAWN_SLACK


templates.env.globals["drawn_at"] = drawn_at
templates.env.filters["local_time"] = local_time
templates.env.filters["waited"] = waited
templates.env.filters["label"] = label
