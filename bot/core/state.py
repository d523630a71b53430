"""Where a parent is in the conversation, and what they have told us so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HISTORY_LIMIT = 20


@dataclass(slots=True)
class ConversationState:
    flow: str
    node: str
    variables: dict[str, Any] = field(default_factory=dict)
    # Earlier waiting points ("flow:node"), newest last, for the word "back".
    history: list[str] = field(default_factory=list)
    # After "stop" the conversation rests until the parent writes again.
    resting: bool = False
    # A crisis was detected: the conversation is flagged for Parent Champions.
    urgent: bool = False
    # Referrals made during this step, saved with it (not part of the state).
    new_referrals: list[dict[str, Any]] = field(default_factory=list)
    new_reminders: list[dict[str, Any]] = field(default_factory=list)
    new_handoff: bool = False  # the parent asked for a Parent Champion during this step
    parent_id: int | None = None  # set by the dispatcher; not saved with the state
    erase: bool = False  # the parent confirmed "delete my data" in this step
    # The crisis message was shown in this step (typed words, or "I need help now").
    crisis_now: bool = False
    # A check-in ("Are you safe?") was shown: a champion should follow up.
    follow_up: bool = False
    # What the champion's transcript shows for this message instead of its words
    # ("the parent went back to the bot"); not saved with the state.
    handoff_note: str | None = None

    @property
    def position(self) -> str:
        return f"{self.flow}:{self.node}"

    def remember_position(self) -> None:
        if not self.history or self.history[-1] != self.position:
            self.history.append(self.position)
            del self.history[:-HISTORY_LIMIT]
