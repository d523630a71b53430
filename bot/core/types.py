"""The messages that cross between channel adapters and the conversation core."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Document:
    """A file to send alongside a reply (a letter, a calendar entry)."""

    filename: str
    media_type: str
    content: bytes


@dataclass(slots=True)
class Reply:
    """One outgoing message. Adapters render it within their own limits."""

    text: str
    buttons: list[Button] = field(default_factory=list)
    document: Document | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "buttons": [{"label": b.label, "payload": b.payload} for b in self.buttons],
        }


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
