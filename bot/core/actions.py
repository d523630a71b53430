"""Python functions a flow can call by name (`action: ehcp_deadlines`).

Actions compute; they do not talk. They return variables that the flow's own
`say` nodes put into words, so parent-facing text stays in flows/.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from bot.core.types import Document

# The transaction of the message being handled, so that an action that must read
# and write atomically with the step (booking the last place) can do so.
_STEP_TRANSACTION: ContextVar[Any] = ContextVar("step_transaction", default=None)


@contextlib.contextmanager
def step_transaction(transaction: Any) -> Iterator[None]:
    token = _STEP_TRANSACTION.set(transaction)
    try:
        yield
    finally:
        _STEP_TRANSACTION.reset(token)


@dataclass(slots=True)
class ActionContext:
    variables: dict[str, Any]
    channel: str
    today: dt.date
    flow_data: dict[str, Any] = field(default_factory=dict)  # the flow's `data:` block
    content: Any = None  # the published Content (letters, articles), read-only
    now: dt.datetime | None = None  # timezone-aware; for opening hours
    parent_id: int | None = None  # who is talking, for actions that read their records

    async def store(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run a store function inside this message's own transaction."""
        transaction = _STEP_TRANSACTION.get()
        if transaction is None:
            raise RuntimeError("this action needs the database, and none is open")
        return await transaction.run(function, *args)


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
    # Buttons for the next `expect: option` question: (label, value) pairs.
    options: list[tuple[str, str]] | None = None
    # Erase everything about this parent once the reply is sent (bot/privacy/erase.py).
    erase: bool = False


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
    from bot.booking.actions import register as register_booking
    from bot.handoff.actions import register as register_handoff
    from bot.handoff.ratings import register as register_ratings
    from bot.knowledge.deadlines import register as register_deadlines
    from bot.knowledge.letter_actions import register as register_letters
    from bot.notify.actions import register as register_notify
    from bot.plan.actions import register as register_plan
    from bot.privacy.actions import register as register_privacy
    from bot.triage.referral import register as register_triage

    registry = ActionRegistry()
    register_handoff(registry)
    register_ratings(registry)  # "How did it go?" after a chat closes
    register_booking(registry)
    register_privacy(registry)
    register_deadlines(registry)
    register_letters(registry)
    register_plan(registry)
    register_triage(registry)
    register_notify(registry)  # e-mail off here; bot/services.py turns it on with SMTP_URL
    return registry
