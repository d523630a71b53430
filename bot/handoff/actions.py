"""The `open_handoff` action: a flow asks for a Parent Champion.

It says whether champions are online and, if not, when they next are; the flow
puts that into words. The ticket itself is written by the dispatcher in the same
transaction as the step (see bot/handoff/escalation.py).
"""

from __future__ import annotations

import datetime as dt

from bot.core.actions import ActionContext, ActionRegistry, ActionResult
from bot.handoff.config import handoff_config
from bot.handoff.hours import is_open, next_opening, opening_in_words

CHAMPION_FLOW = "champion"


def open_handoff(context: ActionContext) -> ActionResult:
    flows = getattr(context.content, "flows", {}) or {}
    champion = flows.get(CHAMPION_FLOW)
    config = handoff_config(champion.data if champion is not None else {})
    now = context.now or dt.datetime.now(dt.UTC)
    online = is_open(config.hours, now)
    variables: dict[str, object] = {
        "handoff_in_hours": "yes" if online else "no",
        "usual_wait": config.usual_wait,
        "handoff_next_open": "",
    }
    if not online:
        opening = next_opening(config.hours, now)
        variables["handoff_next_open"] = opening_in_words(opening, now) if opening else ""
    return ActionResult(variables=variables, handoff=True)


def register(registry: ActionRegistry) -> None:
    registry.register("open_handoff")(open_handoff)
