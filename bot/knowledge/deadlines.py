"""Statutory EHC timescales turned into dates a parent can act on.

The week counts come from the SEND Regulations 2014 (see knowledge/ehcp-timescales.md
for the citations): the decision whether to assess within 6 weeks of the request
(reg 4(1)), notice that no plan will be issued within 16 weeks (reg 10(1)), and the
final plan within 20 weeks (reg 13(2)).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.core.actions import ActionContext, ActionRegistry, ActionResult


@dataclass(frozen=True, slots=True)
class EhcpTimeline:
    decision_to_assess: dt.date
    decision_not_to_issue: dt.date
    final_plan: dt.date


def ehcp_timeline(request_date: dt.date) -> EhcpTimeline:
    return EhcpTimeline(
        decision_to_assess=request_date + dt.timedelta(weeks=6),
        decision_not_to_issue=request_date + dt.timedelta(weeks=16),
        final_plan=request_date + dt.timedelta(weeks=20),
    )


def ehcp_deadlines_action(context: ActionContext) -> ActionResult:
    """Saves the three dates (ISO, shown in words by the flow) and which have passed."""
    raw = context.variables.get("request_date")
    try:
        requested = dt.date.fromisoformat(str(raw))
    except ValueError:
        return ActionResult(goto=None, variables={"deadlines_known": "no"})
    timeline = ehcp_timeline(requested)
    found: dict[str, str] = {"deadlines_known": "yes"}
    for name in ("decision_to_assess", "decision_not_to_issue", "final_plan"):
        day: dt.date = getattr(timeline, name)
        found[f"{name}_date"] = day.isoformat()
        found[f"{name}_passed"] = "yes" if day < context.today else "no"
    return ActionResult(variables=found)


def register(registry: ActionRegistry) -> None:
    registry.register("ehcp_deadlines")(ehcp_deadlines_action)
