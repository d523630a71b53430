"""Reading typed answers to `ask` nodes: dates, numbers, yes/no and choices.

Each reader returns the value to save, or None when the answer cannot be read,
in which case the runner re-asks kindly.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence

from dateutil import parser as date_parser
from dateutil.relativedelta import relativedelta

from bot.core.dates import relative_date
from bot.core.text import whole_number

_YES = {
    "yes",
    "y",
    "yeah",
    "yep",
    "yup",
    "ye",
    "yes please",
    "ok",
    "okay",
    "sure",
    "correct",
    "true",
    "aye",
    "definitely",
    "of course",
}
_NO = {"no", "n", "nope", "nah", "no thanks", "not really", "false", "never"}
_SKIP = {
    "skip",
    "pass",
    "skip this",
    "rather not say",
    "prefer not to say",
    "dont know",
    "don't know",
    "not sure",
}
_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")
_ORDINAL = re.compile(r"(\d+)(st|nd|rd|th)\b")
_EARLIEST_DATE = dt.date(1990, 1, 1)
_YEAR_GIVEN = re.compile(r"\b\d{4}\b|\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2}")


def normalise(text: str) -> str:
    """Lower-case, NFKC, trimmed of punctuation at the ends and repeated spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold().strip()
    folded = re.sub(r"\s+", " ", folded)
    return folded.strip(" .!?,;:'\"()")


def read_yes_no(text: str) -> str | None:
    word = normalise(text)
    if word in _YES:
        return "yes"
    if word in _NO:
        return "no"
    return None


_DONE = {
    "done",
    "that's all",
    "thats all",
    "that's it",
    "thats it",
    "finished",
    "nothing else",
    "no more",
    "none",
    "no that's all",
    "no thats all",
    "that is all",
}


def is_skip(text: str) -> bool:
    return normalise(text) in _SKIP


def is_done(text: str) -> bool:
    return normalise(text) in _DONE


_NUMBER_IN_TEXT = re.compile(r"-?\d+(?:[.,]\d+)?")


def read_number(text: str, minimum: float | None, maximum: float | None) -> int | float | None:
    """A number on its own, or the one number in words like 'about 30 days'."""
    cleaned = normalise(text).replace(" ", "")
    if not _NUMBER.match(cleaned):
        found = _NUMBER_IN_TEXT.findall(normalise(text))
        if len(found) != 1:
            return None
        cleaned = found[0]
    value = float(cleaned.replace(",", "."))
    if minimum is not None and value < minimum:
        return None
    if maximum is not None and value > maximum:
        return None
    return int(value) if value.is_integer() else value


def read_date(text: str, today: dt.date, past: bool = False) -> dt.date | None:
    """UK-style dates: 14/03/2025, 14 March 2025, 14th March; and days said relative
    to `today` (the parent's day in England): today, last friday, 3 weeks ago...

    With `past` (the question is about something that happened), a day and month
    without a year that is still to come this year is last year's: "14 December"
    typed in January."""
    word = normalise(text)
    parsed = relative_date(word, today)
    if parsed is None:
        if not re.search(r"\d", word) or re.search(r"\b(ago|time|next|last)\b", word):
            return None  # "3 weeks ago" is read above or not at all, never as "3 of this month"
        cleaned = _ORDINAL.sub(r"\1", word)
        cleaned = re.sub(r"^(?:on |the )+", "", cleaned)
        default = dt.datetime(today.year, today.month, 1)
        try:
            parsed = date_parser.parse(cleaned, dayfirst=True, default=default, fuzzy=False).date()
        except (ValueError, OverflowError, date_parser.ParserError):
            return None
        if past and parsed > today and not _YEAR_GIVEN.search(cleaned):
            parsed -= relativedelta(years=1)
    # A date decades away is almost certainly a typo; ask again rather than guess.
    if parsed < _EARLIEST_DATE or parsed > today + dt.timedelta(days=5 * 366):
        return None
    return parsed


def read_choice(text: str, labels: Sequence[str]) -> int | None:
    """The index of the choice the parent typed: its number or (part of) its label."""
    word = normalise(text)
    number = whole_number(word)
    if number is not None and 1 <= number <= len(labels):
        return number - 1
    folded = [normalise(label) for label in labels]
    if word in folded:
        return folded.index(word)
    if len(word) >= 3:
        partial = [i for i, label in enumerate(folded) if word in label]
        if len(partial) == 1:
            return partial[0]
    return None


_NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_SCHOOL_YEAR = re.compile(r"^(?:school )?(?:year|yr|y)\s*(\d{1,2})$")
_AGE = re.compile(
    r"^(?:he'?s |she'?s |they'?re |aged? )?(\w+)(?: years?(?: old)?| yrs?(?: old)?| y/?o)?$"
)


def read_age(text: str) -> int | None:
    """An age from '9', 'nine', '9 years old', or a school year ('Year 4' is about 9)."""
    word = normalise(text)
    if word == "reception":
        return 4
    if word in ("nursery", "preschool", "pre-school"):
        return 3
    year = _SCHOOL_YEAR.match(word)
    if year and 1 <= int(year.group(1)) <= 13:
        return int(year.group(1)) + 5  # age at the start of that school year
    match = _AGE.match(word)
    if not match:
        return None
    token = match.group(1)
    value = whole_number(token) if token.isdigit() else _NUMBER_WORDS.get(token)
    if value is None or not 0 <= value <= 25:
        return None
    return value
