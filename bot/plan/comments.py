"""The draft-plan check's findings as the body of the comments letter.

The chat shows the first few findings (bot/plan/actions.py); the letter to the council
lists every one: the sentence quoted, what it does not say, and what to ask for. The
words come from flows/plan_check.yml (`data.letter`), so they can be edited there.
"""

from __future__ import annotations

from typing import Any

from bot.core.actions import ActionContext, ActionResult
from bot.core.text import fill
from bot.plan.checker import Finding

# The letter in knowledge/letters/ that these comments go into.
LETTER_ID = "draft-plan-comments"
# Used only if flows/plan_check.yml lost its `data.letter` words: a letter must never
# go out without the sentences it is about.
DEFAULT_WORDS = {
    "finding": '{number}. Section F says: "{sentence}"',
    "missing": "What is missing: {missing}.",
    "ask": "Please amend it to say {missing}.",
    "words": 'Too vague to enforce: {words}. Please use "will" and exact amounts instead.',
    "summary": "{count} sentences from Section F",
}


def and_list(items: list[str]) -> str:
    """'a, b and c': how a letter lists what a sentence lacks."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _words(data: dict[str, Any]) -> dict[str, str]:
    given = data.get("letter")
    given = given if isinstance(given, dict) else {}
    return {key: str(given.get(key) or default) for key, default in DEFAULT_WORDS.items()}


def _letter_gaps(data: dict[str, Any]) -> dict[str, str]:
    """The gap words for the council: the flow's `gaps`, with `letter.gaps` over them."""
    letter = data.get("letter")
    own = letter.get("gaps") if isinstance(letter, dict) else None
    return {**(data.get("gaps") or {}), **(own if isinstance(own, dict) else {})}


def comment(finding: Finding, number: int, data: dict[str, Any]) -> str:
    """One finding as a numbered paragraph of the letter."""
    words = _words(data)
    gap_words = _letter_gaps(data)
    missing = and_list([gap_words[gap] for gap in finding.gaps if gap in gap_words])
    lines = [fill(words["finding"], {"number": number, "sentence": finding.sentence})]
    if missing:
        lines.append(fill(words["missing"], {"missing": missing}))
        lines.append(fill(words["ask"], {"missing": missing}))
    if finding.words:
        quoted = ", ".join(f'"{word}"' for word in finding.words)
        lines.append(fill(words["words"], {"words": quoted}))
    return "\n".join(lines)


def letter_comments(findings: list[Finding], data: dict[str, Any]) -> dict[str, str]:
    """`plan_comments` (every vague finding, for the letter) and its one-line summary
    for the letter's review of answers. Empty when nothing was vague."""
    vague = [finding for finding in findings if finding.vague]
    if not vague:
        return {"plan_comments": "", "plan_comments_summary": ""}
    paragraphs = [comment(finding, i, data) for i, finding in enumerate(vague, start=1)]
    summary = fill(_words(data)["summary"], {"count": len(vague)})
    return {"plan_comments": "\n\n".join(paragraphs), "plan_comments_summary": summary}


def comments_letter_action(context: ActionContext) -> ActionResult:
    """Choose the comments letter, so the letters flow asks only what it still needs
    (name, address, child, council: nothing it already knows) and then makes it."""
    return ActionResult(variables={"letter_id": LETTER_ID})
