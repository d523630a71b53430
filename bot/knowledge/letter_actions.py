"""The letter flow's actions (flows/letters.yml).

- `letter_next`: the first answer the chosen letter still needs (a node of the same
  name), or, once all are known, the review of every answer before the letter is made.
  Answers already saved (the council from triage, the child's name from an earlier
  letter) are not asked again: the review shows them, and each can be changed.
- `letter_change`: back to the question for the answer the parent chose to change.
- `make_letter`: fill the chosen letter and attach it as a Word file.
"""

from __future__ import annotations

from typing import Any

from bot.core.actions import ActionContext, ActionRegistry, ActionResult
from bot.core.types import Document
from bot.knowledge.letters import (
    LETTER_DATE,
    Letter,
    council_full_name,
    fill_letter,
    letter_value,
    missing_answers,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _letter(context: ActionContext) -> Letter | None:
    letter_id = str(context.variables.get("letter_id") or "")
    letters = getattr(context.content, "letters", None)
    return letters.letters.get(letter_id) if letters is not None else None


def _authorities(context: ActionContext) -> Any:
    return getattr(context.content, "local_authorities", None)


def _labels(context: ActionContext) -> dict[str, str]:
    labels = context.flow_data.get("labels") if isinstance(context.flow_data, dict) else None
    return labels if isinstance(labels, dict) else {}


def _shown(context: ActionContext, name: str) -> str:
    value = context.variables.get(name)
    if name == "local_authority":
        return council_full_name(value, _authorities(context)) or ""
    summary = context.variables.get(f"{name}_summary")
    if summary not in (None, ""):
        return str(summary)  # a long answer (a draft plan's findings) is named, not repeated
    return letter_value(value)


def letter_next_action(context: ActionContext) -> ActionResult:
    letter = _letter(context)
    if letter is None:
        return ActionResult(variables={"letter_ready": "no"}, goto="not_ready")
    missing = missing_answers(letter, context.variables)
    if missing:
        return ActionResult(goto=missing[0])
    labels = _labels(context)
    lines = [f"{labels.get(name, name)}: {_shown(context, name)}" for name in letter.questions]
    return ActionResult(
        variables={"letter_title": letter.meta.title, "letter_review": "\n".join(lines)},
        options=[(labels.get(name, name), name) for name in letter.questions],
        goto="review",
    )


def letter_change_action(context: ActionContext) -> ActionResult:
    letter = _letter(context)
    chosen = str(context.variables.get("change_field") or "")
    if letter is None or chosen not in letter.questions:
        return ActionResult(goto="next_step")
    return ActionResult(goto=chosen)


def make_letter_action(context: ActionContext) -> ActionResult:
    letter = _letter(context)
    if letter is None:
        return ActionResult(variables={"letter_ready": "no"})
    made = {**context.variables, LETTER_DATE: context.today.isoformat()}
    filled = fill_letter(letter, made, context.today, _authorities(context))
    if filled.missing:
        return ActionResult(variables={"letter_ready": "no"})
    return ActionResult(
        variables={
            "letter_ready": "yes",
            "letter_text": filled.text,
            LETTER_DATE: context.today.isoformat(),
        },
        document=Document(f"{letter.meta.id}.docx", DOCX, f"letter:{letter.meta.id}"),
    )


def register(registry: ActionRegistry) -> None:
    registry.register("letter_next")(letter_next_action)
    registry.register("letter_change")(letter_change_action)
    registry.register("make_letter")(make_letter_action)
