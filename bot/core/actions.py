"""Python functions a flow can call by name (`action: ehcp_deadlines`).

Actions compute; they do not talk. They return variables that the flow's own
`say` nodes put into words, so parent-facing text stays in flows/.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.core.types import Document


@dataclass(slots=True)
class ActionContext:
    variables: dict[str, Any]
    channel: str
    today: dt.date
    flow_data: dict[str, Any] = field(default_factory=dict)  # the flow's `data:` block
    content: Any = None  # the published Content (letters, articles), read-only
    now: dt.datetime | None = None  # timezone-aware; for opening hours


@dataclass(slots=True)
class ActionResult:
    variables: dict[str, Any] = field(default_factory=dict)
    goto: str | None = None  # a node in the current flow, instead of the node's `next`
    # A referral to store with this step (category, urgency, answers).
    referral: dict[str, Any] | None = None
    # A reminder to store with this step ({"due_on": ISO date, "kind": ...}).
    reminder: dict[str, Any] | None = None
    # A file to attach to the next message the flow sends.
    document: Document | None = None
    # Ask for a Parent Champion: the dispatcher opens (or updates) a hand-off ticket.
    handoff: bool = False


ActionFunction = Callable[[ActionContext], ActionResult | Awaitable[ActionResult]]


class ActionRegistry:
    def __init__(self) -> None:
        self._actions: dict[str, ActionFunction] = {}

    def register(self, name: str) -> Callable[[ActionFunction], ActionFunction]:
        def decorator(function: ActionFunction) -> ActionFunction:
            self._actions[name] = function
            return function

        return decorator

    def has(self, name: str) -> bool:
        return name in self._actions

    async def run(self, name: str, context: ActionContext) -> ActionResult:
        outcome = self._actions[name](context)
        if inspect.isawaitable(outcome):
            outcome = await outcome
        return outcome


def default_actions() -> ActionRegistry:
    """The registry with every built-in action loaded."""
    from bot.handoff.actions import register as register_handoff
    from bot.knowledge.deadlines import register as register_deadlines
    from bot.knowledge.letter_actions import register as register_letters
    from bot.triage.referral import register as register_triage

    registry = ActionRegistry()
    register_handoff(registry)
    register_deadlines(registry)
    register_letters(registry)
    register_triage(registry)
    return registry
