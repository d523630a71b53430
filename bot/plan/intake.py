"""A plan sent as a file, on any channel: whether the chat is waiting for one, the
text that goes on into the conversation, and the words for a file that cannot be read.

Used by the web upload route (bot/web/plan_upload.py) and the Telegram adapter, so
channels need only hand over the bytes. The bytes are read in memory and dropped.
"""

from __future__ import annotations

import asyncio

from bot.plan.reading import PlanReadError, read_upload
from bot.plan.section_f import find_section_f, looks_like_a_plan
from bot.services import Services
from bot.store.conversations import position_of

# Where the conversation must be waiting for a file to be read into it.
WAITING_AT = ("plan_check", "ask_text")
# The most of a plan's text that goes into the conversation (the web chat's own cap).
MAX_TEXT_CHARS = 100_000


async def waiting_for_plan(services: Services, channel: str, chat_id: str) -> bool:
    return await services.database.read(position_of, channel, chat_id) == WAITING_AT


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


def problem_words(services: Services, problem: str) -> str:
    """What the parent is told (flows/plan_check.yml, `data.problems`)."""
    flow = services.content.current.flows.get("plan_check")
    problems = (flow.data.get("problems", {}) if flow is not None else {}) or {}
    return str(problems.get(problem) or services.content.current.system_text("error"))
