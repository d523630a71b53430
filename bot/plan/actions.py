"""The draft-plan check as flow actions (flows/plan_check.yml).

`check_draft_plan` reads the text the parent pasted (or the upload route handed
over), checks Section F, and returns the findings as variables, worded with the
templates in the flow's `data:` block. `forget_draft_plan` then clears the plan's
words from the conversation unless the parent agreed to the privacy notice.
"""

from __future__ import annotations

from typing import Any

from bot.core.actions import ActionContext, ActionRegistry, ActionResult
from bot.core.text import fill
from bot.plan.checker import CheckResult, Finding, check_text
from bot.plan.comments import comments_letter_action, letter_comments
from bot.plan.section_f import find_section_f

PLAN_TEXT = "plan_text"
SHOWN_FINDINGS = 10
SHOWN_FINE = 3
PLAN_VARIABLES = (
    PLAN_TEXT,
    "plan_findings",
    "plan_fine",
    "plan_more",
    "plan_vague_count",
    "plan_fine_count",
    "plan_comments",  # every finding, for the comments letter (bot/plan/comments.py)
    "plan_comments_summary",
)


def describe(finding: Finding, number: int, data: dict[str, Any]) -> str:
    """One finding in the words of flows/plan_check.yml: the sentence quoted, what to
    ask the council to add, and the words too vague to enforce."""
    gap_words: dict[str, str] = data.get("gaps", {})
    missing = [gap_words[gap] for gap in finding.gaps if gap in gap_words]
    lines = [
        fill(
            data.get("finding", '{number}. "{sentence}"'),
            {"number": number, "sentence": finding.sentence},
        )
    ]
    if missing and data.get("missing_note"):
        lines.append(fill(data["missing_note"], {"missing": ", ".join(missing)}))
    if finding.words and data.get("words_note"):
        lines.append(
            fill(data["words_note"], {"words": ", ".join(f'"{w}"' for w in finding.words)})
        )
    return "\n".join(lines)


def compose(result: CheckResult, data: dict[str, Any]) -> dict[str, str]:
    vague, fine = result.vague, result.fine
    shown = [describe(f, i, data) for i, f in enumerate(vague[:SHOWN_FINDINGS], start=1)]
    fine_lines = [
        fill(data.get("fine", '- "{sentence}"'), {"sentence": f.sentence})
        for f in fine[:SHOWN_FINE]
    ]
    more = ""
    if len(vague) > SHOWN_FINDINGS:
        more = fill(data.get("more", ""), {"count": len(vague) - SHOWN_FINDINGS})
    return {
        "plan_findings": "\n\n".join(shown),
        "plan_fine": "\n".join(fine_lines),
        "plan_more": more,
        "plan_vague_count": str(len(vague)),
        "plan_fine_count": str(len(fine)),
    }


def check_draft_plan(context: ActionContext) -> ActionResult:
    text = str(context.variables.get(PLAN_TEXT) or "")
    section = find_section_f(text)
    result = check_text(section.text)
    found = {
        PLAN_TEXT: "",  # the plan's words are not kept beyond this step
        "plan_section_found": "yes" if section.found else "no",
    }
    if not result.findings:
        return ActionResult(variables=found | {"plan_result": "not_plan"})
    words = compose(result, context.flow_data) | letter_comments(result.findings, context.flow_data)
    outcome = "findings" if result.vague else "all_fine"
    if not result.fine:
        outcome = "findings_only" if result.vague else outcome
    return ActionResult(variables=found | words | {"plan_result": outcome})


def forget_draft_plan(context: ActionContext) -> ActionResult:
    """Without the parent's agreement, nothing from the plan stays after it is shown."""
    if context.variables.get("consent") == "yes":
        return ActionResult(variables={PLAN_TEXT: ""})
    return ActionResult(variables=dict.fromkeys(PLAN_VARIABLES, ""))


def register(registry: ActionRegistry) -> None:
    registry.register("check_draft_plan")(check_draft_plan)
    registry.register("forget_draft_plan")(forget_draft_plan)
    registry.register("comments_letter")(comments_letter_action)
