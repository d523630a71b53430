"""'Is typing…' between a parent on the web chat and the champion who has their chat.

Nothing is stored: typing is a notice on the event bus (which the Redis bridge
carries to the other `serve` processes), forwarded as `event: typing` by the page's
own open stream. The page shows it for a few seconds after the last notice, and a
page sends at most one notice every few seconds while someone types.
"""

from __future__ import annotations

import json


def to_parent_topic(channel: str, chat_id: str) -> str:
    """The champion is typing: heard by the parent's chat stream."""
    return f"typing:parent:{channel}:{chat_id}"


def to_console_topic(ticket_id: int) -> str:
    """The parent is typing: heard by the console's stream for their ticket."""
    return f"typing:ticket:{ticket_id}"


def typing_event(data: dict[str, object]) -> str:
    return f"event: typing\ndata: {json.dumps(data)}\n\n"
