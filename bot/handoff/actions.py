"""The `open_handoff` action: a flow asks for a Parent Champion.

It says whether a Parent Champion covering the parent's area is online now (has
said they are available and has a console page open: bot/staff/presence.py) and,
if not, whether it is within opening hours and when champions are next in; the
flow puts that into words, so a parent is never told "not online" while someone
is there, nor "online" when no one is. The ticket itself is written by the
dispatcher in the same transaction as the step (see bot/handoff/escalation.py).
"""

from __future__ import annotations

import datetime as dt

from bot.core.actions import ActionContext, ActionRegistry, ActionResult
from bot.handoff.config import handoff_config
from bot.handoff.hours import is_open, next_opening, opening_in_words
from bot.staff.presence import someone_online_for

CHAMPION_FLOW = "champion"


async def _someone_online(context: ActionContext, now: dt.datetime) -> bool:
    area = context.variables.get("local_authority") or None
    try:
        return bool(await context.store(someone_online_for, area, now))
    except RuntimeError:  # no database open (a dry run of the flow): promise nothing
        return False


async def open_handoff(context: ActionContext) -> ActionResult:
    flows = getattr(context.content, "flows", {}) or {}
    champion = flows.get(CHAMPION_FLOW)
    config = handoff_config(champion.data if champion is not None else {})
    now = context.now or dt.datetime.now(dt.UTC)
    in_hours = is_open(config.hours, now)
    variables: dict[str, object] = {
        "handoff_online": "yes" if await _someone_online(context, now) else "no",
        "handoff_in_hours": "yes" if in_hours else "no",
        "usual_wait": config.usual_wait,
        "handoff_next_open": "",
    }
    if not in_hours:
        opening = next_opening(config.hours, now)
        variables["handoff_next_open"] = opening_in_words(opening, now) if opening else ""
    return ActionResult(variables=variables, handoff=True)


def register(registry: ActionRegistry) -> None:
    registry.register("open_handoff")(open_handoff)
