"""The hand-off settings admins keep in flows/champion.yml (`data:`).

    data:
      hours:                       # when Parent Champions answer, Europe/London
        monday: "09:00-17:00"      # or "closed"; several spans: "09:00-12:00, 13:00-17:00"
        ...
        bank_holidays: closed      # England and Wales bank holidays
      usual_wait: within 2 hours   # put into words for the parent
      first_response_minutes: 120  # the target for a first reply, in opening hours
      canned_replies:              # ready-made answers in the console
        - {title: Hello, text: "Hi, I'm a Parent Champion..."}

They are data, not code, so the people running the service can change them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.flows.schema import data_problems

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
Span = tuple[dt.time, dt.time | None]  # an end of None means midnight at the end of the day


def _parse_clock(text: str) -> dt.time | None:
    hours, _, minutes = text.strip().partition(":")
    digits = f"{hours}{minutes}"
    if not (digits.isascii() and digits.isdigit() and len(minutes) == 2 and len(hours) <= 2):
        raise ValueError(f"cannot read time '{text.strip()}'; write it like 09:00")
    if int(hours) == 24 and int(minutes) == 0:
        return None
    if int(hours) > 23 or int(minutes) > 59:
        raise ValueError(f"'{text.strip()}' is not a time of day")
    return dt.time(int(hours), int(minutes))


def parse_spans(text: str) -> list[Span]:
    """`"09:00-12:00, 13:00-17:00"` or `"closed"` into (start, end) pairs."""
    if text.strip().casefold() == "closed":
        return []
    spans: list[Span] = []
    for part in text.split(","):
        start_text, dash, end_text = part.partition("-")
        if not dash:
            raise ValueError(f"cannot read '{part.strip()}'; write hours like 09:00-17:00")
        start, end = _parse_clock(start_text), _parse_clock(end_text)
        if start is None:
            raise ValueError("a span cannot start at 24:00")
        if end is not None and end <= start:
            raise ValueError(f"'{part.strip()}' ends before it starts")
        spans.append((start, end))
    return spans


class CannedReply(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=60)
    text: str = Field(min_length=1, max_length=4000)


class OpeningHours(BaseModel):
    model_config = ConfigDict(extra="forbid")
    timezone: str = "Europe/London"
    monday: str = "closed"
    tuesday: str = "closed"
    wednesday: str = "closed"
    thursday: str = "closed"
    friday: str = "closed"
    saturday: str = "closed"
    sunday: str = "closed"
    bank_holidays: Literal["open", "closed"] = "closed"

    @field_validator(*DAYS)
    @classmethod
    def _readable(cls, value: str) -> str:
        parse_spans(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except Exception:
            raise ValueError(f"unknown time zone '{value}'; use e.g. Europe/London") from None
        return value

    def spans_on(self, day: dt.date) -> list[Span]:
        return parse_spans(getattr(self, DAYS[day.weekday()]))


class HandoffConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hours: OpeningHours = Field(default_factory=OpeningHours)
    usual_wait: str = "as soon as they can"
    # The first-response target, in minutes of opening hours: tickets near or past it
    # are highlighted in the queue, and reports show the share answered within it.
    first_response_minutes: int = Field(default=120, ge=5, le=7 * 24 * 60)
    canned_replies: list[CannedReply] = Field(default_factory=list)


def handoff_config(flow_data: dict[str, Any]) -> HandoffConfig:
    """The settings, or defaults when the block is broken (`check` reports it)."""
    try:
        return HandoffConfig.model_validate(flow_data)
    except ValidationError:
        return HandoffConfig()


# Nodes of flows/champion.yml the engine sends by name.
REQUIRED_NODES = ("passed_on", "still_with_champion", "returned", "joined", "closed")


def config_problems(flow_data: dict[str, Any], node_ids: set[str] | None = None) -> list[str]:
    """What is wrong with flows/champion.yml (its `data:` block, named nodes), one line each."""
    missing = [n for n in REQUIRED_NODES if node_ids is not None and n not in node_ids]
    if missing:
        return [f"node '{n}' is missing: the hand-off sends it by name" for n in missing]
    try:
        HandoffConfig.model_validate(flow_data)
    except ValidationError as exc:
        return data_problems(exc, "data")
    return []
