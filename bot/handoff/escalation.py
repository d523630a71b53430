"""Turn what the conversation knows into a hand-off ticket (inside the step's transaction)."""

from __future__ import annotations

from sqlalchemy import Connection

from bot.core.state import ConversationState
from bot.handoff import tickets

# Flows that are the hand-off itself, not where the parent came from.
_HANDOFF_FLOWS = {"champion", "crisis"}


def escalate(
    connection: Connection,
    parent_id: int,
    channel: str,
    state: ConversationState,
    crisis: bool,
    follow_up: bool = False,
) -> int:
    """Open or update the parent's ticket with their triage summary; returns its id.

    A follow-up (after "Are you safe?") waits in the queue without taking the chat
    from the bot: the champion checks in when they pick it up."""
    category, urgency, answers = tickets.latest_referral_summary(connection, parent_id)
    variables = state.variables
    # The words the parent chose ("Primary school"), not the stored codes.
    summary = {name: variables.get(f"{name}_label", value) for name, value in answers.items()}
    came_from = next(
        (
            position.partition(":")[0]
            for position in reversed(state.history)
            if position.partition(":")[0] not in _HANDOFF_FLOWS
        ),
        None,
    )
    request = tickets.HandoffRequest(
        crisis=crisis,
        category=category,
        urgency=urgency or "routine",
        local_authority=variables.get("local_authority") or None,
        came_from="check-in" if follow_up else came_from,
        summary=summary,
        relaying=not follow_up,
    )
    if follow_up and request.category is None:
        request.category = "wellbeing"
    return tickets.request_handoff(connection, parent_id, channel, request)
