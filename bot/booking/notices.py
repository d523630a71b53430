"""Which node's words a reminder is sent in (the words themselves live in flows/)."""

from __future__ import annotations

from typing import Any

from bot.core.runner import FlowRunner
from bot.core.types import Reply

# Reminder kind (its first word) -> the node whose words it is sent in.
REMINDER_NODES = {
    "deadline": ("deadlines", "reminder_deadline"),
    "dropin": ("dropin", "reminder_dropin"),
}


def reminder_text(runner: FlowRunner, kind: str, variables: dict[str, Any]) -> Reply | None:
    where = REMINDER_NODES.get(kind.partition("_")[0])
    replies = runner.render_node(*where, variables) if where else []
    return replies[0] if replies else None
