"""The messages that cross between channel adapters and the conversation core."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# The admins' test chat of draft content (bot/web/console_content.py): not a family,
# so it never takes real drop-in places and is not counted in reports.
PREVIEW_CHANNEL = "preview"


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Document:
    """A file to send alongside a reply (a letter, a calendar entry).

    `key` names what to build ("letter:ask-for-assessment"); channels build the
    bytes when they send it, from the parent's saved answers.
    """

    filename: str
    media_type: str
    key: str


@dataclass(slots=True)
class Reply:
    """One outgoing message. Adapters render it within their own limits."""

    text: str
    buttons: list[Button] = field(default_factory=list)
    document: Document | None = None
    # What the message is for (DESIGN.md: answer, crisis, question, notice); the web
    # chat scrolls a crisis message into view and makes its numbers tappable.
    kind: str | None = None
    # Where an answer's facts come from ({"title", "url", "section"}): the web chat
    # folds them under "Sources"; other channels show the short source line in the text.
    sources: list[dict[str, str]] = field(default_factory=list)
    # Already sent straight to the platform (a crisis reply does not wait for the
    # outbox), so its stored row is written as sent.
    sent_directly: bool = False

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "text": self.text,
            "buttons": [{"label": b.label, "payload": b.payload} for b in self.buttons],
        }
        if self.kind is not None:
            data["kind"] = self.kind
        if self.sources:
            data["sources"] = self.sources
        if self.document is not None:
            data["document"] = {"filename": self.document.filename, "key": self.document.key}
        return data


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a parent, whatever channel it came from.

    `message_id` is the channel's own id, used to answer a repeated delivery once.
    Exactly one of `text` and `payload` is normally set; `media_kind` says what a
    non-text message was (photo, voice...) so the core can answer kindly.
    """

    channel: str
    chat_id: str
    message_id: str | None = None
    text: str | None = None
    payload: str | None = None
    received_at: datetime | None = None
    media_kind: str | None = None
    # Answers the channel knows before the parent says them (the embedded chat's
    # council): saved into a conversation only when this message starts it.
    presets: tuple[tuple[str, str], ...] = ()
    # The console was already alerted to this crisis (the web chat does it at the door
    # when the database stalls), so handling it later doesn't raise a second alarm.
    crisis_alerted: bool = False
