"""The bytes of a document a reply carries (`Document.key`), for the parent it was for.

Keys: "letter:<id>" (a model letter filled with the parent's answers, as .docx),
"ics:<booking id>" (a drop-in booking's calendar file), and "mydata:json" and
"mydata:html" (everything held about the parent, as data and as a readable page).
Each is built on demand, only for its own parent, so no file about a family is kept on disk.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from bot.booking.bookings import booking_of
from bot.booking.ics import ICS_MEDIA_TYPE, session_ics
from bot.core.content import Content
from bot.core.text import whole_number
from bot.knowledge.letter_actions import DOCX
from bot.knowledge.letters import fill_letter, letter_docx
from bot.privacy.actions import MY_DATA_PAGE
from bot.privacy.export import export_json
from bot.privacy.readable import export_html
from bot.store.conversations import variables_of

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BuiltDocument:
    filename: str
    media_type: str
    body: bytes


def build_document(
    connection: Connection, content: Content, key: str, parent_id: int, now: dt.datetime
) -> BuiltDocument | None:
    kind, _, name = key.partition(":")
    if kind == "mydata" and name == "html":
        return BuiltDocument(MY_DATA_PAGE, "text/html", export_html(connection, parent_id))
    if kind == "mydata":
        return BuiltDocument(
            "my-champion-data.json", "application/json", export_json(connection, parent_id)
        )
    booking_id = whole_number(name) if kind == "ics" else None
    if booking_id is not None:
        booked = booking_of(connection, booking_id)
        if booked is None or booked[0] != parent_id:
            return None
        session = booked[1]
        body = session_ics(session, int(name), now)
        return BuiltDocument(
            f"drop-in-{session.starts_at.date().isoformat()}.ics", ICS_MEDIA_TYPE, body
        )
    letter = content.letters.letters.get(name) if kind == "letter" else None
    if letter is None:
        return None
    variables = variables_of(connection, parent_id)
    if variables is None:
        return None
    filled = fill_letter(letter, variables, now.date(), content.local_authorities)
    if filled.missing:
        return None
    return BuiltDocument(f"{name}.docx", DOCX, letter_docx(filled))


async def document_for(
    services: Any, parent_id: int, document: dict[str, str]
) -> BuiltDocument | None:
    """Build a stored message's document for sending (None, logged, if it no longer can be)."""
    built = await services.database.read(
        build_document,
        services.content.current,
        document["key"],
        parent_id,
        dt.datetime.now(dt.UTC),
    )
    if built is None:
        log.warning("a document could not be built; the message goes without it")
    return built
