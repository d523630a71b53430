"""Urgency that follows the conversation.

While a ticket is open, each message the parent sends on to the champion is read
against the same urgency rules triage uses (shared/CONTENT.md): excluded today, no
school place, a deadline within 14 days. A match raises a routine ticket to urgent,
with the reason shown on the ticket. Crises are read by bot/safety, not here.

The rules are deliberately narrow: each needs two things in one sentence (an exclusion
*and* "today"; a deadline word *and* a date within 14 days), so "he was excluded last
year" or "the appeal deadline was in March" raise nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.reading.sentences import split_sentences

DEADLINE_DAYS = 14  # "a deadline within 14 days" (CONTENT.md, the ehcp and disputes rows)

_EXCLUDED = re.compile(
    r"\b(excluded|exclusion|suspended|suspension|expelled|sent (?:(?:him|her|them|my \w+) )?home"
    r"|sending (?:him|her|them) home|told (?:me )?to collect)\b"
)
_TODAY = re.compile(r"\b(today|this morning|this afternoon|just now|right now|tonight)\b")
_NO_PLACE = re.compile(
    r"\b(?:no|without an?|hasn'?t got an?|has not got an?|doesn'?t have an?|does not have an?"
    r"|not got an?|lost (?:his|her|their))\s+(?:school )?(?:place|placement)\b"
    r"|\bno school (?:to go to|for (?:him|her|them))\b"
    r"|\b(?:off|taken off) (?:the )?(?:school )?roll\b"
)
_DEADLINE = re.compile(
    r"\b(deadline|appeal|tribunal|hearing|due|last day|respond by|reply by|comments? by"
    r"|send (?:it|them|my \w+) by|have to (?:reply|respond|send|appeal) by)\b"
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH = r"(" + "|".join(m[:3] + r"(?:" + m[3:] + r")?" for m in _MONTHS) + r")"
_NUMERIC = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?(?: of)? " + _MONTH + r"\b(?: (\d{4}))?")
_MONTH_DAY = re.compile(r"\b" + _MONTH + r" (\d{1,2})(?:st|nd|rd|th)?\b(?:,? (\d{4}))?")
_WEEKDAY = re.compile(r"\b(?:on |this |next |by )?(" + "|".join(_WEEKDAYS) + r")\b")
_IN_DAYS = re.compile(r"\bin (\d{1,2}|a few|two|three|four|five|ten) (days?|weeks?)\b")
_SOON = re.compile(r"\b(today|tomorrow|next week|this week|end of (?:the|this) week)\b")
_WORD_NUMBERS = {"a few": 3, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10}


@dataclass(frozen=True, slots=True)
class Rise:
    """A reason to raise a ticket to urgent, in words a champion reads at a glance."""

    reason: str


EXCLUDED_TODAY = Rise("the parent says their child was excluded or sent home today")
NO_SCHOOL_PLACE = Rise("the parent says their child has no school place")
DEADLINE_SOON = Rise("the parent mentions a deadline within 14 days")


def _month_number(text: str) -> int:
    return next(i for i, m in enumerate(_MONTHS, start=1) if m.startswith(text[:3]))


def _dates_in(sentence: str, today: dt.date) -> list[dt.date]:
    """The calendar days a sentence names (UK order: 14/03, 14 March, next Friday)."""
    found: list[dt.date] = []

    def add(year: int | None, month: int, day: int) -> None:
        try:
            when = dt.date(year or today.year, month, day)
            if year is None and when < today - dt.timedelta(days=180):
                when = when.replace(year=today.year + 1)  # "3 January", said in December
        except ValueError:
            return  # not a day ("31/02"), or 29 February in a year without one
        found.append(when)

    for day, month, year in _NUMERIC.findall(sentence):
        full_year = int(year) + 2000 if year and len(year) == 2 else int(year) if year else None
        add(full_year, int(month), int(day))
    for day, month, year in _DAY_MONTH.findall(sentence):
        add(int(year) if year else None, _month_number(month), int(day))
    for month, day, year in _MONTH_DAY.findall(sentence):
        add(int(year) if year else None, _month_number(month), int(day))
    for weekday in _WEEKDAY.findall(sentence):
        ahead = (_WEEKDAYS.index(weekday) - today.weekday()) % 7
        found.append(today + dt.timedelta(days=ahead or 7))
    for amount, unit in _IN_DAYS.findall(sentence):
        count = int(amount) if amount.isdigit() else _WORD_NUMBERS[amount]
        found.append(today + dt.timedelta(days=count * (7 if unit.startswith("week") else 1)))
    for soon in _SOON.findall(sentence):
        found.append(today + dt.timedelta(days=1 if soon == "tomorrow" else 0))
    return found


def rise_in(text: str, today: dt.date) -> Rise | None:
    """The first urgency rule a parent's message meets, if any (`today`: England's date)."""
    for sentence in split_sentences(text):
        words = sentence.text.casefold().replace("\u2019", "'")
        if _EXCLUDED.search(words) and _TODAY.search(words):
            return EXCLUDED_TODAY
        if _NO_PLACE.search(words):
            return NO_SCHOOL_PLACE
        if _DEADLINE.search(words) and any(
            0 <= (when - today).days <= DEADLINE_DAYS for when in _dates_in(words, today)
        ):
            return DEADLINE_SOON
    return None
