"""Dates said the way people say them: "yesterday", "last friday", "3 weeks ago".

`read_date` (bot/core/answers.py) is the one place a typed date is read; it asks
`relative_date` first, then falls back to written dates (14/03/2025, 14 March).
Every phrase is resolved against the parent's own calendar day in England
(`uk_today`), not the server's, so just after midnight in summer time "yesterday"
is still the day the parent means.

Where a phrase could mean two days ("friday" said on a Saturday), we pick one rule
and keep it: a bare or "last" weekday is the most recent one before today, "next"
and "this" weekdays are the first one after (or, for "this", including) today.
The flows show the date back in words, so a wrong guess is seen at once.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from bot.store.models import as_utc

UK = ZoneInfo("Europe/London")

_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed", "weds"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
_COUNTS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "a couple of": 2,
    "couple of": 2,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_UNITS = {
    "day": "days",
    "week": "weeks",
    "fortnight": "fortnights",
    "month": "months",
    "year": "years",
}
_COUNT = r"(\d{1,3}|a couple of|couple of|an?|" + "|".join(_COUNTS) + ")"
_UNIT = r"(day|week|wk|fortnight|month|mth|year|yr)s?"
_AGO = re.compile(rf"^(?:about |around |roughly )?{_COUNT} {_UNIT} ago$")
_FORTNIGHT_AGO = re.compile(r"^(?:a )?fortnight ago$")
_IN = re.compile(rf"^(?:in )?{_COUNT} {_UNIT}(?: time| from (?:now|today))?$")
_WEEKDAY = re.compile(
    r"^(?:on )?(?:(last|this|next|this coming|this past|past) )?([a-z]+)"
    r"(?: (just gone|gone|last week|next week|coming))?$"
)
_LEADING = re.compile(r"^(?:it was|that was|it is|it's|its|about|around|roughly) ")


def uk_today(now: dt.datetime | None = None) -> dt.date:
    """The calendar day it is in England at `now` (timezone-aware; default: now)."""
    moment = now if now is not None else dt.datetime.now(dt.UTC)
    return moment.astimezone(UK).date()


def _count(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _COUNTS.get(word)


def _shift(today: dt.date, count: int, unit: str, sign: int) -> dt.date:
    unit = {"wk": "week", "mth": "month", "yr": "year"}.get(unit, unit)
    if unit == "fortnight":
        unit, count = "week", count * 2
    step = relativedelta(**{_UNITS[unit]: count * sign})  # 31 March - 1 month = 28/29 Feb
    return today + step


def _weekday(today: dt.date, which: str | None, day: int, after: str | None) -> dt.date | None:
    back = (today.weekday() - day) % 7 or 7  # days since the last one before today
    ahead = (day - today.weekday()) % 7 or 7  # days to the next one after today
    if after in ("last week",):
        # "friday last week": that weekday in the calendar week before this one.
        monday = today - dt.timedelta(days=today.weekday() + 7)
        return monday + dt.timedelta(days=day)
    if after == "next week":
        monday = today + dt.timedelta(days=7 - today.weekday())
        return monday + dt.timedelta(days=day)
    if which in ("next", "this coming") or after == "coming":
        return today + dt.timedelta(days=ahead)
    if which == "this":
        return today + dt.timedelta(days=(day - today.weekday()) % 7)
    return today - dt.timedelta(days=back)  # bare, "last", "past", "just gone"


def relative_date(text: str, today: dt.date) -> dt.date | None:
    """A day named relative to today, from normalised (lower-case, trimmed) text;
    None when the words are not such a phrase."""
    word = _LEADING.sub("", text)
    word = _LEADING.sub("", word)  # "it was about..."
    if word in ("today", "this morning", "this afternoon", "earlier today"):
        return today
    if word in ("yesterday", "last night", "yesterday morning", "yesterday afternoon"):
        return today - dt.timedelta(days=1)
    if word in ("the day before yesterday", "day before yesterday"):
        return today - dt.timedelta(days=2)
    if word == "tomorrow":
        return today + dt.timedelta(days=1)
    if word in ("the day after tomorrow", "day after tomorrow"):
        return today + dt.timedelta(days=2)
    if _FORTNIGHT_AGO.match(word):
        return today - dt.timedelta(days=14)
    if word in ("a week ago today", "a week today", "this day last week"):
        return today - dt.timedelta(days=7)
    ago = _AGO.match(word)
    if ago:
        count = _count(ago.group(1))
        return _shift(today, count, ago.group(2), -1) if count is not None else None
    ahead = _IN.match(word)
    if ahead and (word.startswith("in ") or " time" in word or " from " in word):
        count = _count(ahead.group(1))
        return _shift(today, count, ahead.group(2), 1) if count is not None else None
    named = _WEEKDAY.match(word)
    if named and named.group(2) in _WEEKDAYS:
        return _weekday(today, named.group(1), _WEEKDAYS[named.group(2)], named.group(3))
    return None


def week_start(value: dt.datetime) -> dt.date:
    """The Monday (UTC) of the week `value` falls in: how reports group by week."""
    day = as_utc(value).date()
    return day - dt.timedelta(days=day.weekday())
