"""A plan sent as a file, on any channel: whether the chat is waiting for one, the
text that goes on into the conversation, and the words for a file that cannot be read.

Used by the web upload route (bot/web/plan_upload.py) and the Telegram and WhatsApp
adapters, so channels need only hand over the bytes (or a way to fetch them). The
bytes are read in memory and dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.core.types import Inbound
from bot.plan.reading import MAX_UPLOAD_BYTES, PlanReadError, read_upload
from bot.plan.section_f import find_section_f, looks_like_a_plan
from bot.services import Services
from bot.store.conversations import position_of
from bot.store.db import Database

# Where the conversation must be waiting for a file to be read into it.
WAITING_AT = ("plan_check", "ask_text")
# The most of a plan's text that goes into the conversation (the web chat's own cap).
MAX_TEXT_CHARS = 100_000


async def waiting_for_plan(services: Services, channel: str, chat_id: str) -> bool:
    return waits_for_plan(await services.database.read(position_of, channel, chat_id))


def waits_for_plan(position: tuple[str, str] | None) -> bool:
    """Whether a conversation waiting at `position` (flow, node) wants a plan's text."""
    return position == WAITING_AT


def long_plan_limit(database: Database) -> Callable[[Inbound], Awaitable[int | None]]:
    """For the dispatcher (`long_text_limit`): a plan pasted, or read from a file, while
    one is awaited is taken whole up to MAX_TEXT_CHARS, not cut at the message limit."""

    async def limit(inbound: Inbound) -> int | None:
        position = await database.read(position_of, inbound.channel, inbound.chat_id)
        return MAX_TEXT_CHARS if waits_for_plan(position) else None

    return limit


def text_for_chat(filename: str, data: bytes) -> tuple[str | None, str | None]:
    """(Section F, or the whole text when it has no Section F heading; None) or
    (None, the problem's id from bot/plan/reading.py PROBLEMS)."""
    try:
        plan = read_upload(filename, data)
    except PlanReadError as refused:
        return None, refused.problem
    section = find_section_f(plan.text)
    if not section.found and not looks_like_a_plan(plan.text):
        return None, "not_a_plan"
    return section.text[:MAX_TEXT_CHARS], None


async def read_in_thread(filename: str, data: bytes) -> tuple[str | None, str | None]:
    return await asyncio.to_thread(text_for_chat, filename, data)


class FileTooLarge(Exception):
    """A channel found, while fetching, that the file is over MAX_UPLOAD_BYTES."""


class FileNotFetched(Exception):
    """A channel could not get the file's bytes from its platform."""


class FileRefused(FileNotFetched):
    """A channel would not fetch the file: its platform gave an address that isn't safe
    to send the channel's credentials to. Sending it again won't help."""


async def read_sent_file(
    filename: str, fetch: Callable[[int], Awaitable[bytes]], size: int | None = None
) -> tuple[str | None, str | None]:
    """A file sent on a messaging channel: as text_for_chat, after fetching it.

    `size` is what the platform said (None when it didn't); `fetch(limit)` gets the
    bytes and raises FileTooLarge past `limit`, or FileNotFetched (FileRefused).
    """
    if size is not None and size > MAX_UPLOAD_BYTES:
        return None, "too_large"
    try:
        data = await fetch(MAX_UPLOAD_BYTES)
    except FileTooLarge:
        return None, "too_large"
    except FileRefused:
        return None, "not_fetched_safely"
    except FileNotFetched:
        return None, "not_fetched"
    try:
        return await read_in_thread(filename, data)
    finally:
        del data


def problem_words(services: Services, problem: str) -> str:
    """What the parent is told (flows/plan_check.yml, `data.problems`)."""
    flow = services.content.current.flows.get("plan_check")
    problems = (flow.data.get("problems", {}) if flow is not None else {}) or {}
    return str(problems.get(problem) or services.content.current.system_text("error"))
