"""Messages the service sends on its own (reminders, cancellations), in flows/ words."""

from __future__ import annotations

from typing import Any

from bot.core.content import Content
from bot.core.text import fill
from bot.core.types import Reply

# Reminder kind (its first word) -> the node whose words it is sent in.
REMINDER_NODES = {
    "deadline": ("deadlines", "reminder_deadline"),
    "dropin": ("dropin", "reminder_dropin"),
}


def notice(content: Content, flow_id: str, node_id: str, variables: dict[str, Any]) -> Reply | None:
    node = content.node(flow_id, node_id)
    if node is None or not node.say:
        return None
    return Reply(fill(node.say, variables))


def reminder_text(content: Content, kind: str, variables: dict[str, Any]) -> Reply | None:
    where = REMINDER_NODES.get(kind.partition("_")[0])
    return notice(content, *where, variables) if where else None
