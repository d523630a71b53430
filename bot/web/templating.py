"""Jinja templates for the console: autoescaped, with times shown in UK time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates

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


templates.env.filters["local_time"] = local_time
templates.env.filters["waited"] = waited
templates.env.filters["label"] = label
