"""The `make_letter` action: fill the chosen letter and attach it as a Word file."""

from __future__ import annotations

from bot.core.actions import ActionContext, ActionRegistry, ActionResult
from bot.core.types import Document
from bot.knowledge.letters import fill_letter

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def make_letter_action(context: ActionContext) -> ActionResult:
    letter_id = str(context.variables.get("letter_id") or "")
    letters = getattr(context.content, "letters", None)
    letter = letters.letters.get(letter_id) if letters is not None else None
    if letter is None:
        return ActionResult(variables={"letter_ready": "no"})
    filled = fill_letter(letter, context.variables, context.today)
    if filled.missing:
        return ActionResult(variables={"letter_ready": "no"})
    return ActionResult(
        variables={"letter_ready": "yes", "letter_text": filled.text},
        document=Document(f"{letter_id}.docx", DOCX, f"letter:{letter_id}"),
    )


def register(registry: ActionRegistry) -> None:
    registry.register("make_letter")(make_letter_action)
