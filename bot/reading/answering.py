"""Route or answer: which answer card a parent's question gets, if any.

The reader has already found the sentences that ask something (questions.py).
The first question is answered; a second one is offered as a button. The rest of
the message is context. A confident best card is answered with its key fact
first; a close call between cards, or a weak match, asks "Are you asking
about...?" with the top three; nothing near enough is an honest "I don't know
that one", with a person to ask. Never a wrong fact stated confidently.

The thresholds were chosen on the cards' own questions, one left out at a time
(`python -m benchmarks.answers --leave-one-out`), never on the held-out set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.knowledge.answer_index import AnswerHit, AnswerIndex

# A best card scoring at least this is answered...
ANSWER_MIN_SCORE = 0.33
# ...unless the runner-up is this close behind and from another card with another fact.
CLOSE_CALL_MARGIN = 0.02
# Below ANSWER_MIN_SCORE but at least this: "Are you asking about...?"
SUGGEST_MIN_SCORE = 0.2
# A message that does not look like a question is answered only on a strong match
# (otherwise it goes to its topic, as a statement like "he was excluded today" should).
STATEMENT_MIN_SCORE = 0.5
SUGGESTIONS = 3
# When the intent classifier thinks the message is off-topic at least this surely,
# only a card matching at least OFF_TOPIC_MIN_SCORE is answered.
OFF_TOPIC_PROBABILITY = 0.5
OFF_TOPIC_MIN_SCORE = 0.5


@dataclass(frozen=True, slots=True)
class AnswerChoice:
    kind: str  # "answer", "unsure" or "unknown"
    hits: list[AnswerHit] = field(default_factory=list)
    # The best card for a second question in the same message, offered as a button.
    second: AnswerHit | None = None

    @property
    def best(self) -> AnswerHit | None:
        return self.hits[0] if self.hits else None


def choose_answer(
    index: AnswerIndex,
    questions: Sequence[str],
    context: str,
    intent_prior: Mapping[str, float] | None = None,
    asked: bool = True,
) -> AnswerChoice:
    """The card for the first question (with the message as context), and one for the next."""
    if not questions:
        return AnswerChoice("unknown")
    hits = index.rank(questions[0], context, intent_prior)
    if not hits:
        return AnswerChoice("unknown")
    best = hits[0]
    second = None
    if len(questions) > 1:
        other = index.rank(questions[1], context, intent_prior, limit=1)
        if other and other[0].score >= ANSWER_MIN_SCORE and other[0].answer_id != best.answer_id:
            second = other[0]
    off_topic = (intent_prior or {}).get("out_of_scope", 0.0)
    kind = decide(hits, asked, off_topic)
    return AnswerChoice(kind, hits if kind == "answer" else hits[:SUGGESTIONS], second)


def decide(hits: Sequence[AnswerHit], asked: bool = True, off_topic: float = 0.0) -> str:
    """What to do with ranked cards (best first): "answer", "unsure" or "unknown".

    `off_topic` is the intent classifier's probability that the message is out of scope."""
    if not hits or hits[0].score < SUGGEST_MIN_SCORE:
        return "unknown"
    best = hits[0]
    if off_topic >= OFF_TOPIC_PROBABILITY and best.score < OFF_TOPIC_MIN_SCORE:
        return "unknown"
    needed = ANSWER_MIN_SCORE if asked else STATEMENT_MIN_SCORE
    close_call = len(hits) > 1 and best.score - hits[1].score < CLOSE_CALL_MARGIN
    return "answer" if best.score >= needed and not close_call else "unsure"
