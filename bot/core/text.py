"""Putting saved answers into flow text: `{name}` and `{name|fallback}`.

A variable that was never saved (the parent skipped the question, or an admin
renamed it) becomes its fallback, or nothing, rather than an error.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)(?:\|([^{}|]*))?\}")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The largest id or index we accept from outside: exact in JavaScript, and far
# inside a 64-bit database column (a 20-digit number overflows SQLite's).
MAX_WHOLE_NUMBER = 2**53


def whole_number(text: str, limit: int = MAX_WHOLE_NUMBER) -> int | None:
    """ASCII digits as an int no larger than `limit`; None for anything else.

    `str.isdigit()` alone is not enough before `int()`: it accepts '²', which
    int() refuses, and any length, which a database column refuses.
    """
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(limit)):
        return None
    value = int(text)
    return value if value <= limit else None


def date_in_words(day: dt.date) -> str:
    """'Friday 14 March 2025': unambiguous for UK readers and screen readers."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def show_value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(show_value(item) for item in value)
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date_in_words(dt.date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def fill(template: str, variables: dict[str, Any]) -> str:
    def replace(match: re.Match[str]) -> str:
        value = variables.get(match.group(1))
        if value in (None, ""):
            return match.group(2) or ""
        return show_value(value)

    return _PLACEHOLDER.sub(replace, template)
