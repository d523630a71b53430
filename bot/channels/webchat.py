"""The web chat adapter: the page's session id is the parent's identity."""

from __future__ import annotations

import datetime as dt

from bot.core.types import Inbound

CHANNEL = "web"


def to_inbound(
    session: str, text: str | None, payload: str | None, message_id: str | None
) -> Inbound:
    return Inbound(
        channel=CHANNEL,
        chat_id=session,
        message_id=message_id,
        text=text,
        payload=payload,
        received_at=dt.datetime.now(dt.UTC),
    )
