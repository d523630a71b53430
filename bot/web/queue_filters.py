"""The queue's filter form: GET values in, checked filters (and what was wrong) out.

Only filter values travel in the URL (areas, urgencies, categories, a channel, a
number of minutes, a ticket number or a word), never anything a parent wrote. A value
that is not one of the choices is dropped with a message saying so, so a mistyped or
stale link shows the whole queue and why, never an error page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from bot.core.text import whole_number
from bot.handoff.queue_view import NO_AREA, QueueFilters
from bot.handoff.tickets import URGENCY_RANK
from bot.triage.referral import CATEGORIES

CHANNELS = {"web": "Web chat", "telegram": "Telegram", "whatsapp": "WhatsApp"}
MAX_SEARCH_CHARS = 80
MAX_MINUTES = 60 * 24 * 365


@dataclass(frozen=True, slots=True)
class FilterChoices:
    """The options each filter offers this champion (their own areas only)."""

    areas: list[str]
    urgencies: list[str]
    categories: list[str]
    channels: dict[str, str]


def choices_for(areas: list[str]) -> FilterChoices:
    return FilterChoices(
        areas=sorted(areas),
        urgencies=sorted(URGENCY_RANK, key=URGENCY_RANK.__getitem__, reverse=True),
        categories=list(CATEGORIES),
        channels=CHANNELS,
    )


def read_filters(
    params: Mapping[str, str], choices: FilterChoices
) -> tuple[QueueFilters, list[str]]:
    """The filters asked for, and one sentence for each value that could not be used."""
    problems: list[str] = []

    def one_of(name: str, allowed: list[str] | dict[str, str], what: str) -> str | None:
        value = (params.get(name) or "").strip()
        if not value:
            return None
        if value in allowed:
            return value
        problems.append(
            f"There is no {what} called “{value[:40]}” in your queue, so all are shown."
        )
        return None

    area = one_of("area", [*choices.areas, NO_AREA], "area")
    urgency = one_of("urgency", choices.urgencies, "urgency")
    category = one_of("category", choices.categories, "category")
    channel = one_of("channel", choices.channels, "channel")
    waiting_over = None
    minutes = (params.get("waiting") or "").strip()
    if minutes:
        waiting_over = whole_number(minutes)
        if waiting_over is None or waiting_over > MAX_MINUTES:
            problems.append(
                "“Waiting longer than” takes a whole number of minutes, like 30, so it is not used."
            )
            waiting_over = None
    search = " ".join((params.get("q") or "").split())
    if len(search) > MAX_SEARCH_CHARS:
        problems.append(f"Search words can be up to {MAX_SEARCH_CHARS} characters; they were cut.")
        search = search[:MAX_SEARCH_CHARS]
    filters = QueueFilters(area, urgency, category, channel, waiting_over, search)
    return filters, problems


def query_of(filters: QueueFilters) -> str:
    """The filters as a URL query (checked values only), for links and the live refresh."""
    values = {
        "area": filters.area,
        "urgency": filters.urgency,
        "category": filters.category,
        "channel": filters.channel,
        "waiting": str(filters.waiting_over) if filters.waiting_over is not None else None,
        "q": filters.search,
    }
    return urlencode({name: value for name, value in values.items() if value})
